import "./styles.css";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { LiveSync } from "./api/live-sync.js";
import { createQueryClient } from "./api/query-client.js";
import { App } from "./app.js";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element to mount the Weir dashboard in.");
const queryClient = createQueryClient();
new LiveSync(queryClient).start();
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
