import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dashboard is served by the Weir server at `/`; during development `npm run dev -w @weir/ui`
// proxies the API to WEIR_API_URL (default http://127.0.0.1:4200).
const api = process.env.WEIR_API_URL ?? "http://127.0.0.1:4200";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { "/api": { target: api, changeOrigin: true } } },
});
