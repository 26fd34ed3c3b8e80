// Reads and validates the C2PA manifest of each file given with the official C2PA SDK (c2pa-rs compiled to
// WebAssembly, @contentauth/c2pa-wasm) and prints one JSON line per file: the validation state, the failure codes,
// and the training-mining entries of the active manifest. Used by Scrim's tests as an independent reader.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import init, { WasmReader } from '@contentauth/c2pa-wasm';

const here = path.dirname(fileURLToPath(import.meta.url));
await init({ module_or_path: fs.readFileSync(
  path.join(here, 'node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm')) });

const formats = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };
for (const file of process.argv.slice(2)) {
  const format = formats[path.extname(file).toLowerCase()];
  const result = { file };
  try {
    const reader = await WasmReader.fromBytes(format, fs.readFileSync(file));
    const store = JSON.parse(reader.json());
    const active = store.manifests[store.active_manifest];
    result.validation_state = store.validation_state;
    result.active_manifest = store.active_manifest;
    const failures = store.validation_results?.activeManifest?.failure ?? [];
    result.failures = failures.map((f) => f.code);
    result.failure_details = failures.map((f) => `${f.code}: ${f.explanation ?? ''}`);
    const tm = active.assertions.find((a) => a.label === 'cawg.training-mining');
    result.training_mining = tm ? tm.data.entries : null;
    result.actions = (active.assertions.find((a) => a.label.startsWith('c2pa.actions'))?.data.actions ?? [])
      .map((a) => a.action);
    result.signer = active.signature_info?.common_name ?? active.signature_info?.issuer ?? null;
    // Earlier manifests kept in the store, and the ingredients that point at them (a re-tagged file's parent).
    result.manifests = Object.keys(store.manifests).length;
    result.ingredients = (active.ingredients ?? []).map((i) => ({
      relationship: i.relationship,
      active_manifest: i.active_manifest ?? null,
      signer: store.manifests[i.active_manifest]?.signature_info?.common_name ?? null,
    }));
    result.ingredient_failures = (store.validation_results?.ingredientDeltas ?? [])
      .flatMap((d) => d.validationDeltas?.failure ?? []).map((f) => f.code);
  } catch (e) {
    result.error = String(e);
  }
  console.log(JSON.stringify(result));
}
