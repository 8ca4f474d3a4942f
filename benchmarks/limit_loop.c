/* The hardware limit for the benchmark: the 2-neuron model's online SGD over many configurations, configurations
   innermost, nothing else (no divergence check, no bookkeeping). */
void sweep(int n, int epochs, int rows, const double *x, const double *y, double lr,
           double *restrict w1, double *restrict b1, double *restrict w2, double *restrict b2, double *restrict sse) {
    for (int e = 0; e < epochs; e++) {
        for (int c = 0; c < n; c++) sse[c] = 0.0;
        for (int r = 0; r < rows; r++) {
            const double xi = x[r], yi = y[r];
            for (int c = 0; c < n; c++) {
                double h = w1[c] * xi + b1[c];
                double res = w2[c] * h + b2[c] - yi;
                sse[c] += res * res;
                double d = 2.0 * res;
                double g1 = w2[c] * d;
                w1[c] -= lr * g1 * xi;
                b1[c] -= lr * g1;
                w2[c] -= lr * h * d;
                b2[c] -= lr * d;
            }
        }
    }
}
