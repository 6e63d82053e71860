{
  "targets": [
    {
      "target_name": "tunelab_native",
      "sources": [
        "native/binding.cpp",
        "native/thread_pool.cpp",
        "native/cpu.cpp",
        "native/gemm.cpp",
        "native/gemm_kernels_avx2.cpp",
        "native/gemm_kernels_avx512.cpp",
        "native/gemv.cpp",
        "native/unary.cpp",
        "native/binary.cpp",
        "native/copy.cpp",
        "native/reduce.cpp",
        "native/softmax.cpp",
        "native/norm.cpp",
        "native/norm_backward.cpp",
        "native/embedding.cpp",
        "native/rope.cpp",
        "native/attention.cpp",
        "native/attention_backward.cpp",
        "native/attention_tiles.cpp",
        "native/attention_ops.cpp",
        "native/cross_entropy.cpp",
        "native/random.cpp",
        "native/adamw.cpp",
        "native/quant.cpp",
        "native/storage.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2", "-std=gnu++17", "-std=gnu++1y"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "tunelab_mpi",
      "sources": ["native/mpi.cpp"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y"],
      "cflags_cc": ["-O2", "-std=c++17", "-fexceptions", "-Wall"],
      "libraries": ["-ldl"],
      "ldflags": ["-pthread"]
    }
  ]
}
