import { type DType } from "./dtype.js";
import { Tensor } from "./tensor.js";
type Operand = Tensor | number;
declare module "./tensor.js" {
    interface Tensor {
        backward(gradient?: Tensor): void;
        add(other: Operand): Tensor;
        sub(other: Operand): Tensor;
        mul(other: Operand): Tensor;
        div(other: Operand): Tensor;
        pow(exponent: Operand): Tensor;
        neg(): Tensor;
        exp(): Tensor;
        log(): Tensor;
        sqrt(): Tensor;
        rsqrt(): Tensor;
        tanh(): Tensor;
        sigmoid(): Tensor;
        relu(): Tensor;
        abs(): Tensor;
        square(): Tensor;
        matmul(other: Tensor): Tensor;
        sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
        mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
        amax(dim?: number | readonly number[], keepdim?: boolean): Tensor;
        amin(dim?: number | readonly number[], keepdim?: boolean): Tensor;
        argmax(dim?: number, keepdim?: boolean): Tensor;
        reshape(...shape: number[] | [Shape]): Tensor;
        view(...shape: number[] | [Shape]): Tensor;
        permute(...dims: number[] | [readonly number[]]): Tensor;
        transpose(dim0: number, dim1: number): Tensor;
        /** 2-D transpose. */
        readonly T: Tensor;
        expand(...shape: number[] | [Shape]): Tensor;
        unsqueeze(dim: number): Tensor;
        squeeze(dim?: number): Tensor;
        flatten(startDim?: number, endDim?: number): Tensor;
        slice(dim: number, start?: number, end?: number, step?: number): Tensor;
        narrow(dim: number, start: number, length: number): Tensor;
        select(dim: number, index: number): Tensor;
        contiguous(): Tensor;
        clone(): Tensor;
        to(dtype: DType | string): Tensor;
        float(): Tensor;
        maskedFill(mask: Tensor, value: number): Tensor;
        softmax(dim: number): Tensor;
        logSoftmax(dim: number): Tensor;
        eq(other: Operand): Tensor;
        ne(other: Operand): Tensor;
        lt(other: Operand): Tensor;
        le(other: Operand): Tensor;
        gt(other: Operand): Tensor;
        ge(other: Operand): Tensor;
    }
}
export {};
