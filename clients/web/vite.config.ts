import { defineConfig } from "vite";

// The dev server (npm run dev) sends API and connect-page requests to a running server.
const backend = process.env.HOTDESK_URL ?? "http://127.0.0.1:8080";
const proxied = ["/v1", "/connect", "/novnc", "/assets/connect", "/openapi.json"];

// The build lands in the server's embed folder: one binary serves the dashboard.
export default defineConfig({
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, ws: true }])) },
  base: "/",
  build: {
    outDir: "../../server/internal/web/dashboard/dist",
    emptyOutDir: true,
    assetsDir: "static",
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  resolve: { dedupe: ["@bufbuild/protobuf", "preact"] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
