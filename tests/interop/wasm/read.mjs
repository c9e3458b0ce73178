// Read assets with the WebAssembly build of c2pa-rs (@contentauth/c2pa-wasm) under Node.
// Input (stdin): {"module": DIR, "context": SETTINGS_JSON, "files": [{"path", "format"}]}.
// Output (stdout): one JSON line per file: {"path", "state", "failure": [codes], "error"}.
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
const mod = await import(input.module + "/pkg/c2pa.js");
mod.initSync({ module: readFileSync(input.module + "/pkg/c2pa_bg.wasm") });
for (const f of input.files) {
  try {
    const reader = await mod.WasmReader.fromBytes(
      f.format, new Uint8Array(readFileSync(f.path)), input.context);
    const store = JSON.parse(reader.json());
    const failure = (store.validation_results?.activeManifest?.failure || []).map((e) => e.code);
    console.log(JSON.stringify({ path: f.path, state: store.validation_state, failure }));
  } catch (e) {
    console.log(JSON.stringify({ path: f.path, state: null, failure: [], error: String(e) }));
  }
}
