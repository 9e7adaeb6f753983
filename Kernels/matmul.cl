// C = alpha * op(A) * op(B) + beta * C, row-major, each operand optionally transposed, and the
// dense layer's forward pass, the same product with the bias and the activation fused into the
// epilogue. Mirrors Sources/DescentCPU/CPUBackend+Matmul.swift and CPUBackend+Dense.swift. The
// host prepends activation_functions.cl.
//
// Strategy (matmul_tiled): a work-group computes a TILE x TILE block of C. Each step stages a
// TILE x TILE_K slice of op(A) and a TILE_K x TILE slice of op(B) in local memory (zero-padded at
// the edges, so any M, N, K works without padding copies), and each work-item accumulates
// WORK_PER_ITEM x WORK_PER_ITEM outputs in registers. A work-item's outputs are strided by the
// work-group width, which keeps local-memory reads conflict-free and global stores coalesced.
// The work-group is (TILE / WORK_PER_ITEM) x (TILE / WORK_PER_ITEM).

#ifndef TILE
#define TILE 32
#endif
#ifndef TILE_K
#define TILE_K 16
#endif
#ifndef WORK_PER_ITEM
#define WORK_PER_ITEM 4
#endif

#define GROUP_WIDTH (TILE / WORK_PER_ITEM)
#define GROUP_ITEMS (GROUP_WIDTH * GROUP_WIDTH)

// Accumulates this work-item's WORK_PER_ITEM x WORK_PER_ITEM block of op(A) * op(B) for the
// work-group's TILE x TILE block of C.
void accumulate_tiles(const int M, const int N, const int K, const int transpose_a, const int transpose_b,
                      __global const float* a, __global const float* b,
                      __local float a_tile[TILE_K][TILE], __local float b_tile[TILE_K][TILE],
                      float accumulator[WORK_PER_ITEM][WORK_PER_ITEM])
{
    const int local_column = get_local_id(0);
    const int local_row = get_local_id(1);
    const int local_index = local_row * GROUP_WIDTH + local_column;
    const int row0 = get_group_id(1) * TILE;
    const int column0 = get_group_id(0) * TILE;

    for (int i = 0; i < WORK_PER_ITEM; i++)
        for (int j = 0; j < WORK_PER_ITEM; j++)
            accumulator[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        // Stage op(A)[row0 .. row0+TILE, k0 .. k0+TILE_K]; consecutive work-items read
        // consecutive addresses of A in either layout.
        for (int index = local_index; index < TILE * TILE_K; index += GROUP_ITEMS) {
            int m, k;
            if (transpose_a) { k = index / TILE; m = index % TILE; }
            else { m = index / TILE_K; k = index % TILE_K; }
            const int row = row0 + m, depth = k0 + k;
            float value = 0.0f;
            if (row < M && depth < K)
                value = transpose_a ? a[depth * M + row] : a[row * K + depth];
            a_tile[k][m] = value;
        }
        // Stage op(B)[k0 .. k0+TILE_K, column0 .. column0+TILE].
        for (int index = local_index; index < TILE * TILE_K; index += GROUP_ITEMS) {
            int k, n;
            if (transpose_b) { n = index / TILE_K; k = index % TILE_K; }
            else { k = index / TILE; n = index % TILE; }
            const int column = column0 + n, depth = k0 + k;
            float value = 0.0f;
            if (column < N && depth < K)
                value = transpose_b ? b[column * K + depth] : b[depth * N + column];
            b_tile[k][n] = value;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int k = 0; k < TILE_K; k++) {
            float a_values[WORK_PER_ITEM], b_values[WORK_PER_ITEM];
            for (int i = 0; i < WORK_PER_ITEM; i++) a_values[i] = a_tile[k][local_row + i * GROUP_WIDTH];
            for (int j = 0; j < WORK_PER_ITEM; j++) b_values[j] = b_tile[k][local_column + j * GROUP_WIDTH];
            for (int i = 0; i < WORK_PER_ITEM; i++)
                for (int j = 0; j < WORK_PER_ITEM; j++)
                    accumulator[i][j] += a_values[i] * b_values[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// The row and column of C that accumulator[i][j] belongs to.
#define OUTPUT_ROW(i) (get_group_id(1) * TILE + (int)get_local_id(1) + (i) * GROUP_WIDTH)
#define OUTPUT_COLUMN(j) (get_group_id(0) * TILE + (int)get_local_id(0) + (j) * GROUP_WIDTH)

__kernel __attribute__((reqd_work_group_size(GROUP_WIDTH, GROUP_WIDTH, 1)))
void matmul_tiled(const int M, const int N, const int K,
                  const int transpose_a, const int transpose_b,
                  const float alpha, const float beta,
                  __global const float* a, const int a_offset,
                  __global const float* b, const int b_offset,
                  __global float* c, const int c_offset)
{
    __local float a_tile[TILE_K][TILE];
    __local float b_tile[TILE_K][TILE];
    float accumulator[WORK_PER_ITEM][WORK_PER_ITEM];
    accumulate_tiles(M, N, K, transpose_a, transpose_b, a + a_offset, b + b_offset, a_tile, b_tile, accumulator);
    c += c_offset;
    for (int i = 0; i < WORK_PER_ITEM; i++) {
        const int row = OUTPUT_ROW(i);
        if (row >= M) continue;
        for (int j = 0; j < WORK_PER_ITEM; j++) {
            const int column = OUTPUT_COLUMN(j);
            if (column >= N) continue;
            // With beta == 0, C is not read (it may be uninitialized), as in BLAS.
            const float product = alpha * accumulator[i][j];
            c[row * N + column] = beta == 0.0f ? product : product + beta * c[row * N + column];
        }
    }
}

// y = f(x W + b): x is M x K, W is K x N, b has N elements (or is NULL); the pre-activation
// z = x W + b is also written when pre_activation is not NULL.
__kernel __attribute__((reqd_work_group_size(GROUP_WIDTH, GROUP_WIDTH, 1)))
void dense_forward(const int M, const int N, const int K, const int kind, const float parameter,
                   __global const float* input, const int input_offset,
                   __global const float* weights, const int weights_offset,
                   __global const float* bias, const int bias_offset,
                   __global float* pre_activation, const int pre_activation_offset,
                   __global float* output, const int output_offset)
{
    __local float a_tile[TILE_K][TILE];
    __local float b_tile[TILE_K][TILE];
    float accumulator[WORK_PER_ITEM][WORK_PER_ITEM];
    accumulate_tiles(M, N, K, 0, 0, input + input_offset, weights + weights_offset, a_tile, b_tile, accumulator);
    for (int i = 0; i < WORK_PER_ITEM; i++) {
        const int row = OUTPUT_ROW(i);
        if (row >= M) continue;
        for (int j = 0; j < WORK_PER_ITEM; j++) {
            const int column = OUTPUT_COLUMN(j);
            if (column >= N) continue;
            const float z = accumulator[i][j] + (bias ? bias[bias_offset + column] : 0.0f);
            if (pre_activation) pre_activation[pre_activation_offset + row * N + column] = z;
            output[output_offset + row * N + column] = activation_value(kind, parameter, z);
        }
    }
}
