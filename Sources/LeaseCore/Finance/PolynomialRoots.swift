/// All roots of a real polynomial, as the eigenvalues of its companion matrix:
/// the method of numpy's `roots`, which numpy-financial's `irr` relies on.
///
/// The matrix is balanced (rows and columns scaled by powers of 2, as
/// LAPACK's and EISPACK's `balanc` do), then reduced by the Francis
/// double-shift QR iteration on its upper Hessenberg form. A real root comes
/// out with an imaginary part of exactly 0; complex roots come in conjugate pairs.
enum PolynomialRoots {
    struct Root: Equatable {
        var real: Double
        var imaginary: Double
    }

    /// Roots of c[0]·xⁿ + c[1]·xⁿ⁻¹ + … + c[n]; `c[0]` must not be 0.
    /// Returns fewer than n roots only if the iteration fails to converge.
    static func eigenvalues(ofMonic c: [Double]) -> [Root] {
        let n = c.count - 1
        guard n >= 1, c[0] != 0 else { return [] }
        if n == 1 { return [Root(real: -c[1] / c[0], imaginary: 0)] }
        var a = Matrix(n: n)
        for j in 0..<n { a[0, j] = -c[j + 1] / c[0] }
        for i in 1..<n { a[i, i - 1] = 1 }
        balance(&a)
        return hessenbergQR(&a)
    }

    /// Row-major square matrix.
    struct Matrix {
        let n: Int
        var storage: [Double]
        init(n: Int) {
            self.n = n
            storage = Array(repeating: 0, count: n * n)
        }
        subscript(i: Int, j: Int) -> Double {
            get { storage[i * n + j] }
            set { storage[i * n + j] = newValue }
        }
    }

    /// Similarity scaling by powers of 2 until every row and its column have
    /// comparable norms; exact in binary, it leaves the eigenvalues unchanged.
    static func balance(_ a: inout Matrix) {
        let n = a.n
        let radix = 2.0
        let radix2 = radix * radix
        var converged = false
        var sweeps = 0
        while !converged && sweeps < 200 {
            converged = true
            sweeps += 1
            for i in 0..<n {
                var colNorm = 0.0
                var rowNorm = 0.0
                for j in 0..<n where j != i {
                    colNorm += abs(a[j, i])
                    rowNorm += abs(a[i, j])
                }
                guard colNorm != 0, rowNorm != 0 else { continue }
                var g = rowNorm / radix
                var f = 1.0
                let s = colNorm + rowNorm
                while colNorm < g {
                    f *= radix
                    colNorm *= radix2
                }
                g = rowNorm * radix
                while colNorm > g {
                    f /= radix
                    colNorm /= radix2
                }
                if (colNorm + rowNorm) / f < 0.95 * s {
                    converged = false
                    let inv = 1 / f
                    for j in 0..<n { a[i, j] *= inv }
                    for j in 0..<n { a[j, i] *= f }
                }
            }
        }
    }

    /// Eigenvalues of an upper Hessenberg matrix by the Francis double-shift QR
    /// iteration with deflation at negligible subdiagonal entries and
    /// exceptional shifts after 10 and 20 stalled iterations.
    static func hessenbergQR(_ a: inout Matrix) -> [Root] {
        let n = a.n
        var roots: [Root] = []
        roots.reserveCapacity(n)
        var norm = 0.0
        for i in 0..<n {
            for j in max(i - 1, 0)..<n { norm += abs(a[i, j]) }
        }
        var hi = n - 1
        var shift = 0.0
        while hi >= 0 {
            var iterations = 0
            var lo = 0
            repeat {
                // The lowest l with a negligible subdiagonal a[l, l-1] splits the matrix.
                lo = hi
                while lo >= 1 {
                    var s = abs(a[lo - 1, lo - 1]) + abs(a[lo, lo])
                    if s == 0 { s = norm }
                    if abs(a[lo, lo - 1]) + s == s {
                        a[lo, lo - 1] = 0
                        break
                    }
                    lo -= 1
                }
                var x = a[hi, hi]
                if lo == hi {
                    roots.append(Root(real: x + shift, imaginary: 0))
                    hi -= 1
                    break
                }
                var y = a[hi - 1, hi - 1]
                var w = a[hi, hi - 1] * a[hi - 1, hi]
                if lo == hi - 1 {
                    let p = 0.5 * (y - x)
                    let q = p * p + w
                    var z = abs(q).squareRoot()
                    x += shift
                    if q >= 0 {
                        z = p + (p >= 0 ? z : -z)
                        let first = x + z
                        let second = z != 0 ? x - w / z : first
                        roots.append(Root(real: first, imaginary: 0))
                        roots.append(Root(real: second, imaginary: 0))
                    } else {
                        roots.append(Root(real: x + p, imaginary: z))
                        roots.append(Root(real: x + p, imaginary: -z))
                    }
                    hi -= 2
                    break
                }
                if iterations == 60 { return roots }
                if iterations == 10 || iterations == 20 {
                    shift += x
                    for i in 0...hi { a[i, i] -= x }
                    let s = abs(a[hi, hi - 1]) + abs(a[hi - 1, hi - 2])
                    x = 0.75 * s
                    y = x
                    w = -0.4375 * s * s
                }
                iterations += 1
                francisStep(&a, lo: lo, hi: hi, x: x, y: y, w: w)
            } while lo < hi - 1
        }
        return roots
    }

    /// One implicit double-shift QR sweep on rows/columns lo...hi, the shifts
    /// being the eigenvalues of the trailing 2×2 block (trace x + y, det xy − w).
    private static func francisStep(_ a: inout Matrix, lo: Int, hi: Int, x: Double, y: Double, w: Double) {
        // Find two consecutive small subdiagonal elements, from the bottom.
        var m = hi - 2
        var p = 0.0
        var q = 0.0
        var r = 0.0
        while m >= lo {
            let z = a[m, m]
            let rr = x - z
            let ss = y - z
            p = (rr * ss - w) / a[m + 1, m] + a[m, m + 1]
            q = a[m + 1, m + 1] - z - rr - ss
            r = a[m + 2, m + 1]
            let s = abs(p) + abs(q) + abs(r)
            p /= s
            q /= s
            r /= s
            if m == lo { break }
            let u = abs(a[m, m - 1]) * (abs(q) + abs(r))
            let v = abs(p) * (abs(a[m - 1, m - 1]) + abs(z) + abs(a[m + 1, m + 1]))
            if u + v == v { break }
            m -= 1
        }
        if m + 2 <= hi {
            for i in (m + 2)...hi {
                a[i, i - 2] = 0
                if i != m + 2 { a[i, i - 3] = 0 }
            }
        }
        var k = m
        while k <= hi - 1 {
            var scale = 0.0
            if k != m {
                p = a[k, k - 1]
                q = a[k + 1, k - 1]
                r = k != hi - 1 ? a[k + 2, k - 1] : 0
                scale = abs(p) + abs(q) + abs(r)
                if scale != 0 {
                    p /= scale
                    q /= scale
                    r /= scale
                }
            }
            let norm = (p * p + q * q + r * r).squareRoot()
            let s = p >= 0 ? norm : -norm
            if s != 0 {
                if k == m {
                    if lo != m { a[k, k - 1] = -a[k, k - 1] }
                } else {
                    a[k, k - 1] = -s * scale
                }
                p += s
                let xx = p / s
                let yy = q / s
                let zz = r / s
                q /= p
                r /= p
                for j in k...hi {
                    var t = a[k, j] + q * a[k + 1, j]
                    if k != hi - 1 {
                        t += r * a[k + 2, j]
                        a[k + 2, j] -= t * zz
                    }
                    a[k + 1, j] -= t * yy
                    a[k, j] -= t * xx
                }
                let top = min(hi, k + 3)
                for i in lo...top {
                    var t = xx * a[i, k] + yy * a[i, k + 1]
                    if k != hi - 1 {
                        t += zz * a[i, k + 2]
                        a[i, k + 2] -= t * r
                    }
                    a[i, k + 1] -= t * q
                    a[i, k] -= t
                }
            }
            k += 1
        }
    }
}
