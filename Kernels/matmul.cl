// C = alpha * op(A) * op(B) + beta * C, row-major, each operand optionally transposed.
// Mirrors Sources/DescentCPU/CPUBackend+Matmul.swift.
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

    a += a_offset;
    b += b_offset;
    c += c_offset;

    const int local_column = get_local_id(0);
    const int local_row = get_local_id(1);
    const int local_index = local_row * GROUP_WIDTH + local_column;
    const int row0 = get_group_id(1) * TILE;
    const int column0 = get_group_id(0) * TILE;

    float accumulator[WORK_PER_ITEM][WORK_PER_ITEM];
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

    for (int i = 0; i < WORK_PER_ITEM; i++) {
        const int row = row0 + local_row + i * GROUP_WIDTH;
        if (row >= M) continue;
        for (int j = 0; j < WORK_PER_ITEM; j++) {
            const int column = column0 + local_column + j * GROUP_WIDTH;
            if (column >= N) continue;
            // With beta == 0, C is not read (it may be uninitialized), as in BLAS.
            const float product = alpha * accumulator[i][j];
            c[row * N + column] = beta == 0.0f ? product : product + beta * c[row * N + column];
        }
    }
}
