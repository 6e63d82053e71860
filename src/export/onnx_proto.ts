/**
 * The part of ONNX's onnx.proto (IR version 8) an exported model needs — model, graph, node,
 * attribute, tensor, value info, types — as a protobufjs schema, with field numbers as
 * onnx.proto declares them. protobufjs does the wire encoding; this file only names fields.
 */
import protobuf from "protobufjs";

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
        OperatorSetIdProto: { fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } } },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            data_type: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            raw_data: { type: "bytes", id: 9 },
            doc_string: { type: "string", id: 12 },
            external_data: { rule: "repeated", type: "StringStringEntryProto", id: 13 },
            data_location: { type: "int32", id: 14 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            t: { type: "TensorProto", id: 5 },
            floats: { rule: "repeated", type: "float", id: 7 },
            ints: { rule: "repeated", type: "int64", id: 8 },
            type: { type: "int32", id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            op_type: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
            domain: { type: "string", id: 7 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
          nested: { Dimension: { fields: { dim_value: { type: "int64", id: 1 }, dim_param: { type: "string", id: 2 } } } },
        },
        TypeProto: {
          fields: { tensor_type: { type: "TensorType", id: 1 } },
          nested: { TensorType: { fields: { elem_type: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } } } },
        },
        ValueInfoProto: { fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 }, doc_string: { type: "string", id: 3 } } },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            doc_string: { type: "string", id: 10 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        ModelProto: {
          fields: {
            ir_version: { type: "int64", id: 1 },
            producer_name: { type: "string", id: 2 },
            producer_version: { type: "string", id: 3 },
            doc_string: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
            opset_import: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
            metadata_props: { rule: "repeated", type: "StringStringEntryProto", id: 14 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
const ModelProto = root.lookupType("onnx.ModelProto");

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: OnnxDataTypeCode;
  raw_data?: Uint8Array;
  /** Set for weights stored in a side file: location, offset, length. */
  external_data?: { key: string; value: string }[];
  data_location?: 0 | 1;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
  domain?: string;
}

/** A dimension is a number, or a name for a dimension that varies (batch_size, sequence_length). */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  elemType: OnnxDataTypeCode;
  dims: Dim[];
}

export interface ModelProto {
  graphName: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  opset: number;
  producerVersion: string;
  metadata: Record<string, string>;
}

function valueInfo(v: ValueInfoProto): object {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: v.elemType,
        shape: { dim: v.dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/** The serialized ModelProto (IR version 8: onnxruntime >= 1.10 and Transformers.js read it). */
export function encodeModel(m: ModelProto): Uint8Array {
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: "tunelab",
    producer_version: m.producerVersion,
    opset_import: [{ domain: "", version: m.opset }],
    metadata_props: Object.entries(m.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: m.graphName,
      node: m.nodes,
      initializer: m.initializers,
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}
