/** Files in other tools' formats: safetensors (one file, or a model folder's shards), tensors as tunelab saves them, JSON written atomically, the Hugging Face hub. */
export {
  readSafetensors, writeSafetensors, readSafetensorsHeader, serializeSafetensors, rawToFloat32, rawToInt32, float32ToRaw, DTYPE_SIZE,
  type RawTensor, type SafetensorsDtype,
} from "./safetensors.js";
export {
  readSafetensorsIndex, loadCheckpointTensors, writeShardedSafetensors, checkpointFiles, parseByteSize, SAFE_WEIGHTS_NAME, type SafetensorsIndex,
} from "./model_weights.js";
export { loadTensors, saveTensors, rawToTensor, tensorToRaw } from "./tensors.js";
export { readJsonFile, writeJsonAtomic, writeFileAtomic } from "./json.js";
export { resolvePretrained, type ResolveOptions } from "./hub.js";
