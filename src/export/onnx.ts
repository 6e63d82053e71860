/**
 * `exportOnnx(model, outDir)`: a folder that onnxruntime and Transformers.js load —
 * config.json, the tokenizer files, onnx/model.onnx (float32 weights inside; past the
 * protobuf 2 GB limit they go to onnx/model.onnx_data, ONNX's external-data layout).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/json.js";
import { encodeModel, type TensorProto } from "./onnx_proto.js";
import { OPSET, type OnnxGraph } from "./onnx_graph.js";
import { ENCODER_CLASSES, buildEncoderGraph } from "./onnx_encoders.js";
import { DECODER_CLASSES, buildDecoderGraph } from "./onnx_decoders.js";
import { requirePlainModel, writeFolderAtomic } from "./files.js";

export interface OnnxExportOptions {
  /** Tokenizer files to put next to the model (Transformers.js needs them). */
  tokenizer?: PreTrainedTokenizer | null;
  /**
   * Weights in onnx/model.onnx_data instead of inside the graph: "auto" (default) does so
   * only past externalDataThreshold bytes, since a protobuf message cannot exceed 2 GB.
   */
  externalData?: boolean | "auto";
  /** Bytes of weights above which "auto" moves them out (default 1.8 GB). */
  externalDataThreshold?: number;
}

export interface OnnxExportResult {
  dir: string;
  modelFile: string;
  externalDataFile: string | null;
  inputs: string[];
  outputs: string[];
}

const EXTERNAL_DATA_NAME = "model.onnx_data";
const DEFAULT_EXTERNAL_THRESHOLD = 1.8e9;
/** Tensors this small stay inside the graph (ONNX's own convention keeps small constants inline). */
const INLINE_BYTES = 1024;
const ALIGN = 4096;

/** The class names exportOnnx accepts. */
export function onnxSupportedClasses(): string[] {
  return [...Object.keys(ENCODER_CLASSES), ...Object.keys(DECODER_CLASSES)];
}

export function buildOnnxGraph(model: PreTrainedModel): OnnxGraph {
  const name = model.constructor.name;
  if (name in ENCODER_CLASSES) return buildEncoderGraph(model);
  if (name in DECODER_CLASSES) return buildDecoderGraph(model);
  throw new Error(`[export] ONNX export of ${name} is not supported; supported classes: ${onnxSupportedClasses().join(", ")}`);
}

/** Moves large initializers' bytes into one side file (4 KiB aligned); returns its parts. */
function externalize(initializers: TensorProto[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const t of initializers) {
    const raw = t.raw_data;
    if (!raw || raw.byteLength <= INLINE_BYTES) continue;
    const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
    if (pad) parts.push(new Uint8Array(pad));
    offset += pad;
    parts.push(raw);
    t.external_data = [
      { key: "location", value: EXTERNAL_DATA_NAME },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(raw.byteLength) },
    ];
    t.data_location = 1;
    delete t.raw_data;
    offset += raw.byteLength;
  }
  return parts;
}

export async function exportOnnx(model: PreTrainedModel, outDir: string, opts: OnnxExportOptions = {}): Promise<OnnxExportResult> {
  requirePlainModel(model);
  const graph = buildOnnxGraph(model);
  const weightBytes = graph.initializers.reduce((n, t) => n + (t.raw_data?.byteLength ?? 0), 0);
  const threshold = opts.externalDataThreshold ?? DEFAULT_EXTERNAL_THRESHOLD;
  const external = opts.externalData === true || ((opts.externalData ?? "auto") === "auto" && weightBytes > threshold);
  const dataParts = external ? externalize(graph.initializers) : [];
  const bytes = encodeModel({
    graphName: model.constructor.name,
    nodes: graph.nodes,
    initializers: graph.initializers,
    inputs: graph.inputs,
    outputs: graph.outputs,
    opset: OPSET,
    producerVersion: "0.1.0",
    metadata: { architecture: model.constructor.name },
  });
  await writeFolderAtomic(outDir, (dir) => fs.existsSync(path.join(dir, "onnx", "model.onnx")), (tmp) => {
    const config = model.config.toDict();
    config.architectures = [model.constructor.name];
    writeJsonAtomic(path.join(tmp, "config.json"), config);
    opts.tokenizer?.savePretrained(tmp);
    if (dataParts.length) writeFileAtomic(path.join(tmp, "onnx", EXTERNAL_DATA_NAME), dataParts);
    writeFileAtomic(path.join(tmp, "onnx", "model.onnx"), bytes);
  });
  const dir = path.resolve(outDir);
  return {
    dir,
    modelFile: path.join(dir, "onnx", "model.onnx"),
    externalDataFile: external ? path.join(dir, "onnx", EXTERNAL_DATA_NAME) : null,
    inputs: graph.inputs.map((v) => v.name),
    outputs: graph.outputs.map((v) => v.name),
  };
}
