/**
 * Attaches the op functions to Tensor as methods (a.add(b), a.softmax(-1), ...), the
 * PyTorch way. Kept apart from tensor.ts so the class has no import cycle with the ops.
 */
import { runBackward } from "./autograd.js";
import { Tensor } from "./tensor.js";
import * as binary from "./ops/binary.js";
import * as unary from "./ops/unary.js";
import * as reduce from "./ops/reduce.js";
import * as views from "./ops/views.js";
import { matmul } from "./ops/matmul.js";
import { cast } from "./ops/cast.js";
import { maskedFill } from "./ops/where.js";
import { softmax, logSoftmax } from "./ops/softmax.js";
function shapeArgs(args) {
    return Array.isArray(args[0]) ? args[0] : args;
}
const methods = {
    backward(gradient) {
        runBackward(this, gradient);
    },
    add(o) { return binary.add(this, o); },
    sub(o) { return binary.sub(this, o); },
    mul(o) { return binary.mul(this, o); },
    div(o) { return binary.div(this, o); },
    pow(o) { return binary.pow(this, o); },
    eq(o) { return binary.eq(this, o); },
    ne(o) { return binary.ne(this, o); },
    lt(o) { return binary.lt(this, o); },
    le(o) { return binary.le(this, o); },
    gt(o) { return binary.gt(this, o); },
    ge(o) { return binary.ge(this, o); },
    neg() { return unary.neg(this); },
    exp() { return unary.exp(this); },
    log() { return unary.log(this); },
    sqrt() { return unary.sqrt(this); },
    rsqrt() { return unary.rsqrt(this); },
    tanh() { return unary.tanh(this); },
    sigmoid() { return unary.sigmoid(this); },
    relu() { return unary.relu(this); },
    abs() { return unary.abs(this); },
    square() { return unary.square(this); },
    matmul(o) { return matmul(this, o); },
    sum(dim, keepdim) { return reduce.sum(this, dim, keepdim); },
    mean(dim, keepdim) { return reduce.mean(this, dim, keepdim); },
    amax(dim, keepdim) { return reduce.amax(this, dim, keepdim); },
    amin(dim, keepdim) { return reduce.amin(this, dim, keepdim); },
    argmax(dim, keepdim) { return reduce.argmax(this, dim, keepdim); },
    reshape(...shape) { return views.reshape(this, shapeArgs(shape)); },
    view(...shape) {
        if (!this.isContiguous())
            throw new Error("[view] the tensor is not contiguous; use reshape() (which copies) or contiguous().view()");
        return views.reshape(this, shapeArgs(shape));
    },
    permute(...dims) { return views.permute(this, shapeArgs(dims)); },
    transpose(a, b) { return views.transpose(this, a, b); },
    expand(...shape) { return views.expand(this, shapeArgs(shape)); },
    unsqueeze(dim) { return views.unsqueeze(this, dim); },
    squeeze(dim) { return views.squeeze(this, dim); },
    flatten(s, e) { return views.flatten(this, s, e); },
    slice(dim, start, end, step) { return views.slice(this, dim, start, end, step); },
    narrow(dim, start, length) { return views.narrow(this, dim, start, length); },
    select(dim, index) { return views.select(this, dim, index); },
    contiguous() { return views.contiguous(this); },
    clone() { return views.clone(this); },
    to(dtype) { return cast(this, dtype); },
    float() { return cast(this, "float32"); },
    maskedFill(mask, value) { return maskedFill(this, mask, value); },
    softmax(dim) { return softmax(this, dim); },
    logSoftmax(dim) { return logSoftmax(this, dim); },
};
for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, "T", {
    get() {
        if (this.ndim !== 2)
            throw new Error(`[T] expects a 2-D tensor, got ${this.ndim} dims; use transpose() or permute()`);
        return views.transpose(this, 0, 1);
    },
    configurable: true,
});
//# sourceMappingURL=methods.js.map