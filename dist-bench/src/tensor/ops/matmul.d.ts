import { Tensor } from "../tensor.js";
/** out[..., M, N] = a[..., M, K] @ b[..., K, N], outside autograd. */
export declare function mm(a: Tensor, b: Tensor): Tensor;
/** Matrix product with PyTorch's rules (1-D operands promoted, batch dims broadcast). */
export declare function matmul(a: Tensor, b: Tensor): Tensor;
/**
 * F.linear: y = x @ weight^T + bias with weight (out, in), float32 or bfloat16 (frozen).
 * With `weightLayout: "in_out"` the weight is (in, out) and y = x @ weight + bias (GPT-2's Conv1D).
 * A weight that does not require grad costs no weight-gradient work in backward.
 */
export declare function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, weightLayout?: "out_in" | "in_out"): Tensor;
