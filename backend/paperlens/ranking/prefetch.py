"""A software prefetch for numba kernels: ask the CPU to start loading a cache line now.

A look-up in a long posting list is a read from memory (~100 ns). When a kernel knows where its
next few reads will be, requesting them first lets their latencies overlap instead of adding up;
a plain load cannot do that, because it holds its place in the CPU until the data arrives.
numba has no prefetch of its own, so this emits LLVM's `llvm.prefetch` (a hint: it never faults,
so an address past an array's end is harmless, and it changes no result).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, index):
    """prefetch(array, index): start loading the cache line of array[index] into every cache level."""

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        address = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        declared = builder.module.declare_intrinsic(
            "llvm.prefetch", [address.type], ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32]))
        # read (0), keep in all cache levels (locality 3), data cache (1)
        builder.call(declared, [address, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen
