# Cross-compiles the addon for 64-bit Arm Linux (glibc) from an x86-64 Debian
# host with Debian's g++-aarch64-linux-gnu. Used by scripts/prebuild-arm64.js;
# the result is only shipped after scripts/test-arm64.js has run it under an
# arm64 Node.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(BP_CROSS_PREFIX aarch64-linux-gnu- CACHE STRING "prefix of the cross tools")
set(CMAKE_C_COMPILER ${BP_CROSS_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${BP_CROSS_PREFIX}g++)

# Debian's cross toolchain keeps the target's libraries under this root; the
# Node-API headers (CMAKE_JS_INC) live on the host and are given as absolute
# paths, so only libraries and packages are looked up in the target root.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
