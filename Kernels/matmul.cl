// C = alpha * op(A) * op(B) + beta * C, row-major, each operand optionally transposed, and the
// dense layer's forward pass, the same product with the bias and the activation fused into the
// epilogue. Mirrors Sources/DescentCPU/CPUBackend+Matmul.swift and CPUBackend+Dense.swift. The
// activation functions are in activation_functions.cl, earlier in the program.
//
// Strategy (matmul_tiled): a work-group computes a TILE x TILE block of C. Each step stages a
// TILE x TILE_K slice of op(A) and a TILE_K x TILE slice of op(B) in local memory (zero-padded at
// the edges, so any M, N, K works without padding copies), and each work-item accumulates
// WORK_PER_ITEM x WORK_PER_ITEM outputs in registers. A work-item's outputs are strided by the
// work-group width, which keeps local-memory reads conflict-free and global stores coalesced.
// The work-group is (TILE / WORK_PER_ITEM) x (TILE / WORK_PER_ITEM). This is the GPU strategy.
//
// Strategy (matmul_blocked, matmul_blocked_dot, dense_forward_blocked): no local memory; each
// work-item computes a block of C in registers from explicit vectors, which is what a CPU
// (PoCL) vectorizes well; PoCL vectorizes across work-items poorly. The host picks the strategy
// per device (OpenCLTuning.matmulStrategy); both are tested on every device.
//
// The host builds one strategy's kernels, with -D MATMUL_TILED or -D MATMUL_REGISTER_BLOCKED
// (OpenCLTuning.matmulBuildOptions): a driver that compiles a whole program when it is built
// (Intel's) then compiles only those, once per autotuner candidate.

#ifdef MATMUL_TILED

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

#endif  // MATMUL_TILED

#ifdef MATMUL_REGISTER_BLOCKED

// ---- Register-blocked strategy ---------------------------------------------------------------
//
// matmul_blocked (op(B) = B): a work-item computes BLOCK_ROWS rows x VECTOR_WIDTH columns of C.
// Each step of k loads one VECTOR_WIDTH-wide row of B and, for each row, broadcasts one element
// of op(A) into a fused multiply-add. matmul_blocked_dot (op(B) = B^T, whose rows are contiguous
// along k): a work-item computes DOT_ROWS x DOT_COLUMNS dot products, DOT_VECTOR_WIDTH values of
// k at a time, summed across the vector at the end.
// Rows and columns past the edge of C load valid elements (a clamped row or column, or the start
// of B's next row) and are not stored, so the inner loops have no bounds checks and no operand is
// padded. Accumulators have explicit names (not private arrays, which PoCL spills to memory).
// matmul_blocked walks k in steps of BLOCK_DEPTH with a barrier after each: PoCL runs a group's
// work-items one after another between barriers, so the group's BLOCK_DEPTH x VECTOR_WIDTH slice of
// B is still in the L1 cache when the next work-item reads it (without the barriers each work-item
// streams the whole column strip of B from L2; on PoCL the 128 x 784 x 512 forward product runs
// about 1.6x faster with them). Every work-item of a group therefore runs the same loop: none
// returns early. The price is compile time: PoCL's first launch of matmul_blocked takes 0.8 s
// instead of 0.3 s.

#ifndef BLOCK_ROWS
#define BLOCK_ROWS 4
#endif
#ifndef VECTOR_WIDTH
#define VECTOR_WIDTH 16
#endif
#ifndef DOT_ROWS
#define DOT_ROWS 2
#endif
#ifndef DOT_COLUMNS
#define DOT_COLUMNS 4
#endif
#ifndef DOT_VECTOR_WIDTH
#define DOT_VECTOR_WIDTH 8
#endif
#ifndef BLOCK_DEPTH
#define BLOCK_DEPTH 64
#endif
#ifndef BLOCKED_GROUP
#define BLOCKED_GROUP 8
#endif
#ifndef DOT_GROUP
#define DOT_GROUP 8
#endif
#if BLOCK_ROWS < 1 || BLOCK_ROWS > 8 || DOT_ROWS < 1 || DOT_ROWS > 4 || DOT_COLUMNS < 1 || DOT_COLUMNS > 4 || BLOCK_DEPTH < 1
#error "BLOCK_ROWS must be 1 to 8, DOT_ROWS and DOT_COLUMNS 1 to 4, BLOCK_DEPTH at least 1"
#endif

#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define floatv PASTE(float, VECTOR_WIDTH)
#define vloadv PASTE(vload, VECTOR_WIDTH)
#define vstorev PASTE(vstore, VECTOR_WIDTH)
#define floatd PASTE(float, DOT_VECTOR_WIDTH)
#define vloadd PASTE(vload, DOT_VECTOR_WIDTH)
#define vstored PASTE(vstore, DOT_VECTOR_WIDTH)

// OP(i) for each row i < BLOCK_ROWS; the conditions are compile-time constants.
#define FOR_EACH_BLOCK_ROW(OP) OP(0) \
    if (BLOCK_ROWS > 1) { OP(1) } if (BLOCK_ROWS > 2) { OP(2) } if (BLOCK_ROWS > 3) { OP(3) } \
    if (BLOCK_ROWS > 4) { OP(4) } if (BLOCK_ROWS > 5) { OP(5) } if (BLOCK_ROWS > 6) { OP(6) } if (BLOCK_ROWS > 7) { OP(7) }

// The work-item's block: rows row0 .. row0+BLOCK_ROWS of C, columns column0 .. column0+VECTOR_WIDTH.
// Work-items along dimension 0 of a group share the same columns of B (kept in cache) and walk
// down the rows of A.
#define BLOCK_ROW0 ((int)get_global_id(0) * BLOCK_ROWS)
#define BLOCK_COLUMN0 ((int)get_global_id(1) * VECTOR_WIDTH)

// Accumulates op(A)[row0 .., :] * op(B)[:, column0 ..] into acc0 .. acc7 (only the first
// BLOCK_ROWS are used). k is walked BLOCK_DEPTH values at a time with a barrier after each (see
// above), so every work-item of the group must call this; work-items past the last row
// (row0 >= M) meet at the barriers but skip the arithmetic. B transposed is
// gathered column by column: the host sends it here only when k is small (B^T then fits in the
// cache, and matmul_blocked_dot would have too little to sum per output).
void accumulate_blocked(const int M, const int N, const int K, const int transpose_a, const int transpose_b,
                        __global const float* a, __global const float* b, const int row0, const int column0,
                        floatv* acc0, floatv* acc1, floatv* acc2, floatv* acc3,
                        floatv* acc4, floatv* acc5, floatv* acc6, floatv* acc7)
{
    floatv sum0 = 0.0f, sum1 = 0.0f, sum2 = 0.0f, sum3 = 0.0f, sum4 = 0.0f, sum5 = 0.0f, sum6 = 0.0f, sum7 = 0.0f;
    // Element (row, k) of op(A) is a[row * a_row_step + k * a_k_step].
    const int a_row_step = transpose_a ? 1 : K, a_k_step = transpose_a ? M : 1;
    #define A_ROW(i) __global const float* a##i = a + min(row0 + i, M - 1) * a_row_step;
    A_ROW(0) A_ROW(1) A_ROW(2) A_ROW(3) A_ROW(4) A_ROW(5) A_ROW(6) A_ROW(7)
    #define ROW_FMA(i) sum##i = fma((floatv)(a##i[k * a_k_step]), b_values, sum##i);
    const int k_count = row0 < M ? K : 0;
    // The right edge of C (column0 + VECTOR_WIDTH > N): a whole vector from row k of B runs past
    // the row's end into the next row: lanes that are never stored, so it is loaded as it is
    // while it stays inside B (a gather through private memory costs a store-forwarding stall per
    // k), up to k_loaded; the last rows gather, with columns past N - 1 repeating column N - 1.
    const int past_end = column0 + VECTOR_WIDTH - N;
    const int k_loaded = transpose_b ? 0 : (past_end <= 0 ? k_count : min(k_count, K - (past_end + N - 1) / N));
    // The barrier is in the loop over slices, which every work-item runs the same number of
    // times (K is uniform), never behind a branch: PoCL's loopvec method miscompiles a barrier
    // behind a branch when a loop whose trip count depends on the work-item follows it (see
    // Kernels/README.md). The branches inside a slice hold no barrier.
    for (int k0 = 0; k0 < K; k0 += BLOCK_DEPTH) {
        const int k_end = min(k0 + BLOCK_DEPTH, k_count);
        const int vector_end = min(k_end, k_loaded);
        for (int k = k0; k < vector_end; k++) {
            const floatv b_values = vloadv(0, b + k * N + column0);
            FOR_EACH_BLOCK_ROW(ROW_FMA)
        }
        for (int k = max(k0, vector_end); k < k_end; k++) {
            float values[VECTOR_WIDTH];
            // op(B)[k, column] is b[column * K + k] for B^T, b[k * N + column] otherwise.
            for (int v = 0; v < VECTOR_WIDTH; v++) {
                const int column = min(column0 + v, N - 1);
                values[v] = transpose_b ? b[column * K + k] : b[k * N + column];
            }
            const floatv b_values = vloadv(0, values);
            FOR_EACH_BLOCK_ROW(ROW_FMA)
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    *acc0 = sum0; *acc1 = sum1; *acc2 = sum2; *acc3 = sum3; *acc4 = sum4; *acc5 = sum5; *acc6 = sum6; *acc7 = sum7;
}

__kernel __attribute__((reqd_work_group_size(BLOCKED_GROUP, 1, 1)))
void matmul_blocked(const int M, const int N, const int K, const int transpose_a, const int transpose_b,
                    const float alpha, const float beta,
                    __global const float* a, const int a_offset,
                    __global const float* b, const int b_offset,
                    __global float* c, const int c_offset)
{
    // Work-items past the last row store nothing (no early return: the group meets at barriers in
    // accumulate_blocked). The host launches exactly ceil(N / VECTOR_WIDTH) column strips.
    const int row0 = BLOCK_ROW0, column0 = BLOCK_COLUMN0;
    floatv acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7;
    accumulate_blocked(M, N, K, transpose_a, transpose_b, a + a_offset, b + b_offset, row0, column0,
                       &acc0, &acc1, &acc2, &acc3, &acc4, &acc5, &acc6, &acc7);
    c += c_offset;
    // A full strip stores each row as one vector, the right edge element by element. With
    // beta == 0, C is not read (it may be uninitialized), as in BLAS.
    #define STORE_PRODUCT_VECTOR(i) if (row0 + i < M) { \
        __global float* out = c + (row0 + i) * N + column0; \
        vstorev(beta == 0.0f ? alpha * acc##i : alpha * acc##i + beta * vloadv(0, out), 0, out); }
    #define STORE_PRODUCT(i) if (row0 + i < M) { \
        float values[VECTOR_WIDTH]; \
        vstorev(acc##i, 0, values); \
        for (int v = 0; v < VECTOR_WIDTH && column0 + v < N; v++) { \
            __global float* out = c + (row0 + i) * N + column0 + v; \
            const float product = alpha * values[v]; \
            *out = beta == 0.0f ? product : product + beta * *out; \
        } }
    if (column0 + VECTOR_WIDTH <= N) { FOR_EACH_BLOCK_ROW(STORE_PRODUCT_VECTOR) } else { FOR_EACH_BLOCK_ROW(STORE_PRODUCT) }
}

// piecewise_linear_value (activation_functions.cl) on a vector.
floatv piecewise_linear_vector(const int kind, const float parameter, const floatv x)
{
    const floatv negative = kind == ACTIVATION_RELU ? (floatv)(0.0f) : piecewise_linear_slope(kind, parameter) * x;
    return select(x, negative, x <= 0.0f);  // a NaN is not <= 0: it stays NaN
}

// The body of the dense_forward_blocked kernels below; `piecewise_linear` is a constant in each
// (see activation_functions.cl).
void dense_forward_blocked_with(const int piecewise_linear, const int M, const int N, const int K, const int kind,
                                const float parameter, __global const float* input, __global const float* weights,
                                __global const float* bias, __global float* pre_activation, __global float* output)
{
    // No early return, as in matmul_blocked.
    const int row0 = BLOCK_ROW0, column0 = BLOCK_COLUMN0;
    floatv acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7;
    accumulate_blocked(M, N, K, 0, 0, input, weights, row0, column0,
                       &acc0, &acc1, &acc2, &acc3, &acc4, &acc5, &acc6, &acc7);
    float bias_values[VECTOR_WIDTH];
    for (int v = 0; v < VECTOR_WIDTH; v++)
        bias_values[v] = bias && column0 + v < N ? bias[column0 + v] : 0.0f;
    if (piecewise_linear && column0 + VECTOR_WIDTH <= N) {
        // A full strip, one vector per row.
        const floatv bias_vector = vloadv(0, bias_values);
        #define STORE_DENSE_VECTOR(i) if (row0 + i < M) { \
            const int index = (row0 + i) * N + column0; \
            const floatv z = acc##i + bias_vector; \
            if (pre_activation) vstorev(z, 0, pre_activation + index); \
            vstorev(piecewise_linear_vector(kind, parameter, z), 0, output + index); }
        FOR_EACH_BLOCK_ROW(STORE_DENSE_VECTOR)
        return;
    }
    #define STORE_DENSE(i) if (row0 + i < M) { \
        float values[VECTOR_WIDTH]; \
        vstorev(acc##i, 0, values); \
        for (int v = 0; v < VECTOR_WIDTH && column0 + v < N; v++) { \
            const int index = (row0 + i) * N + column0 + v; \
            const float z = values[v] + bias_values[v]; \
            if (pre_activation) pre_activation[index] = z; \
            output[index] = piecewise_linear ? piecewise_linear_value(kind, parameter, z) \
                                             : activation_value(kind, parameter, z); \
        } }
    FOR_EACH_BLOCK_ROW(STORE_DENSE)
}

// y = f(x W + b) with the register-blocked product; see dense_forward.
#define DENSE_FORWARD_BLOCKED_PARAMETERS const int M, const int N, const int K, const int kind, const float parameter, \
    __global const float* input, const int input_offset, __global const float* weights, const int weights_offset, \
    __global const float* bias, const int bias_offset, __global float* pre_activation, const int pre_activation_offset, \
    __global float* output, const int output_offset
#define DENSE_FORWARD_BLOCKED_ARGUMENTS M, N, K, kind, parameter, input + input_offset, weights + weights_offset, \
    bias ? bias + bias_offset : bias, pre_activation ? pre_activation + pre_activation_offset : pre_activation, \
    output + output_offset

__kernel __attribute__((reqd_work_group_size(BLOCKED_GROUP, 1, 1)))
void dense_forward_blocked(DENSE_FORWARD_BLOCKED_PARAMETERS)
{
    dense_forward_blocked_with(0, DENSE_FORWARD_BLOCKED_ARGUMENTS);
}

// dense_forward_blocked for identity, ReLU and leaky ReLU.
__kernel __attribute__((reqd_work_group_size(BLOCKED_GROUP, 1, 1)))
void dense_forward_blocked_piecewise_linear(DENSE_FORWARD_BLOCKED_PARAMETERS)
{
    dense_forward_blocked_with(1, DENSE_FORWARD_BLOCKED_ARGUMENTS);
}

#define FOR_EACH_DOT_COLUMN(OP, i) OP(i, 0) \
    if (DOT_COLUMNS > 1) { OP(i, 1) } if (DOT_COLUMNS > 2) { OP(i, 2) } if (DOT_COLUMNS > 3) { OP(i, 3) }
#define FOR_EACH_DOT_ROW(OP) OP(0) \
    if (DOT_ROWS > 1) { OP(1) } if (DOT_ROWS > 2) { OP(2) } if (DOT_ROWS > 3) { OP(3) }

__kernel __attribute__((reqd_work_group_size(DOT_GROUP, 1, 1)))
void matmul_blocked_dot(const int M, const int N, const int K, const int transpose_a,
                        const float alpha, const float beta,
                        __global const float* a, const int a_offset,
                        __global const float* b, const int b_offset,
                        __global float* c, const int c_offset)
{
    const int row0 = (int)get_global_id(0) * DOT_ROWS, column0 = (int)get_global_id(1) * DOT_COLUMNS;
    if (row0 >= M || column0 >= N) return;
    a += a_offset;
    b += b_offset;
    c += c_offset;
    floatd sum00 = 0.0f, sum01 = 0.0f, sum02 = 0.0f, sum03 = 0.0f, sum10 = 0.0f, sum11 = 0.0f, sum12 = 0.0f, sum13 = 0.0f;
    floatd sum20 = 0.0f, sum21 = 0.0f, sum22 = 0.0f, sum23 = 0.0f, sum30 = 0.0f, sum31 = 0.0f, sum32 = 0.0f, sum33 = 0.0f;
    #define DOT_ROW_INDEX(i) const int r##i = min(row0 + i, M - 1);
    DOT_ROW_INDEX(0) DOT_ROW_INDEX(1) DOT_ROW_INDEX(2) DOT_ROW_INDEX(3)
    // Row j of B (column j of op(B)), contiguous along k.
    #define B_ROW(j) __global const float* b##j = b + min(column0 + j, N - 1) * K;
    B_ROW(0) B_ROW(1) B_ROW(2) B_ROW(3)
    #define LOAD_B(j) const floatd b_values##j = vloadd(0, b##j + k);
    #define DOT_FMA(i, j) sum##i##j = fma(a_values, b_values##j, sum##i##j);
    const int k_vectors = K / DOT_VECTOR_WIDTH * DOT_VECTOR_WIDTH;
    if (!transpose_a) {
        #define DOT_ROW(i) { const floatd a_values = vloadd(0, a + r##i * K + k); FOR_EACH_DOT_COLUMN(DOT_FMA, i) }
        for (int k = 0; k < k_vectors; k += DOT_VECTOR_WIDTH) {
            LOAD_B(0) LOAD_B(1) LOAD_B(2) LOAD_B(3)
            FOR_EACH_DOT_ROW(DOT_ROW)
        }
    } else {
        // A^T: a row of op(A) is strided by M; gather it.
        #define DOT_ROW_GATHERED(i) { \
            float values[DOT_VECTOR_WIDTH]; \
            for (int v = 0; v < DOT_VECTOR_WIDTH; v++) values[v] = a[(k + v) * M + r##i]; \
            const floatd a_values = vloadd(0, values); \
            FOR_EACH_DOT_COLUMN(DOT_FMA, i) }
        for (int k = 0; k < k_vectors; k += DOT_VECTOR_WIDTH) {
            LOAD_B(0) LOAD_B(1) LOAD_B(2) LOAD_B(3)
            FOR_EACH_DOT_ROW(DOT_ROW_GATHERED)
        }
    }
    // Sum across the vector, add the last K % DOT_VECTOR_WIDTH products, store.
    #define DOT_STORE(i, j) if (column0 + j < N) { \
        float values[DOT_VECTOR_WIDTH]; \
        vstored(sum##i##j, 0, values); \
        float sum = 0.0f; \
        for (int v = 0; v < DOT_VECTOR_WIDTH; v++) sum += values[v]; \
        for (int k = k_vectors; k < K; k++) sum = fma(transpose_a ? a[k * M + r##i] : a[r##i * K + k], b##j[k], sum); \
        __global float* out = c + (row0 + i) * N + column0 + j; \
        const float product = alpha * sum; \
        *out = beta == 0.0f ? product : product + beta * *out; }
    #define DOT_STORE_ROW(i) if (row0 + i < M) { FOR_EACH_DOT_COLUMN(DOT_STORE, i) }
    FOR_EACH_DOT_ROW(DOT_STORE_ROW)
}

#endif  // MATMUL_REGISTER_BLOCKED
