import "./styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./app.js";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element to mount the Weir dashboard in.");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
