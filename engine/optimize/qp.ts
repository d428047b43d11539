/**
 * A typed, 0-based wrapper over the `quadprog` package (Goldfarb–Idnani dual active-set method, a port of R's
 * quadprog::solve.QP). Problem:
 *
 *   minimise ½ xᵀ D x − dᵀ x   subject to   a_kᵀ x = b_k (equalities),   a_kᵀ x ≥ b_k (inequalities)
 *
 * D must be symmetric positive definite. A covariance matrix is only semi-definite when assets are collinear (or
 * there are fewer periods than assets); then the solve is retried once with a ridge ε·I added to D,
 * ε = 1e-10 × mean diagonal — far below the precision of any estimated covariance — and the result says so.
 *
 * quadprog's arrays are 1-based and it overwrites D and d; this wrapper builds fresh 1-based copies every call.
 * Every returned point is checked against the constraints (tolerance 1e-8 relative): a violation is a QpError.
 */
import { solveQP } from 'quadprog';

export interface LinearConstraint {
  /** coefficients a (length n) */
  a: ArrayLike<number>;
  /** right-hand side b */
  b: number;
}

export interface QpProblem {
  /** n×n symmetric positive (semi-)definite matrix, as rows */
  D: readonly ArrayLike<number>[];
  /** linear term d (length n); the objective is ½xᵀDx − dᵀx */
  d: ArrayLike<number>;
  /** aᵀx = b */
  eq?: readonly LinearConstraint[];
  /** aᵀx ≥ b */
  ineq?: readonly LinearConstraint[];
}

export interface QpSolution {
  x: Float64Array;
  /** objective value ½xᵀDx − dᵀx (with the ridge, if one was added) */
  value: number;
  /** the ridge ε added to D's diagonal (0 when D was positive definite) */
  ridge: number;
  /** Lagrange multipliers, one per constraint (equalities first, then inequalities) */
  lagrangian: Float64Array;
}

/** The QP has no feasible point, or the solver failed. */
export class QpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QpError';
  }
}

function runQuadprog(p: QpProblem, ridge: number): ReturnType<typeof solveQP> {
  const n = p.d.length;
  const eq = p.eq ?? [];
  const ineq = p.ineq ?? [];
  const cons = [...eq, ...ineq];
  // quadprog needs at least one constraint column: add the vacuous 0ᵀx ≥ −1 when there is none
  if (cons.length === 0) cons.push({ a: new Float64Array(n), b: -1 });
  const q = cons.length;
  // Entries below 1e-14 × the largest |D_ij| (or the largest |a_k| of their constraint) are beyond double precision
  // relative to the rest and are set to 0: quadprog's Givens rotations produce NaN from values like 1e-256.
  let dMax = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dMax = Math.max(dMax, Math.abs(p.D[i][j]));
  const dTiny = 1e-14 * dMax;
  const aTiny = cons.map((c) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(c.a[i]));
    return 1e-14 * m;
  });
  const clean = (x: number, tiny: number) => (Math.abs(x) < tiny ? 0 : x);
  const Dmat: number[][] = [[]];
  const dvec: number[] = [0];
  const Amat: number[][] = [[]];
  const bvec: number[] = [0];
  for (let i = 0; i < n; i++) {
    const row: number[] = [0];
    const Di = p.D[i];
    for (let j = 0; j < n; j++) row.push(clean(Di[j], dTiny) + (i === j ? ridge : 0));
    Dmat.push(row);
    dvec.push(p.d[i]);
    const arow: number[] = [0];
    for (let k = 0; k < q; k++) arow.push(clean(cons[k].a[i], aTiny[k]));
    Amat.push(arow);
  }
  for (let k = 0; k < q; k++) bvec.push(cons[k].b);
  return solveQP(Dmat, dvec, Amat, bvec, eq.length);
}

/** Solve the QP (see the module comment). Throws QpError when it is infeasible or D is not semi-definite. */
export function solveQp(p: QpProblem): QpSolution {
  const n = p.d.length;
  if (p.D.length !== n) throw new QpError(`D is ${p.D.length}×${p.D.length} but d has length ${n}`);
  for (const c of [...(p.eq ?? []), ...(p.ineq ?? [])]) {
    if (c.a.length !== n) throw new QpError(`constraint has ${c.a.length} coefficients, expected ${n}`);
    if (!Number.isFinite(c.b)) throw new QpError(`constraint right-hand side is not finite (${c.b})`);
  }
  let ridge = 0;
  let res = runQuadprog(p, 0);
  if (res.message && /positive definite/.test(res.message)) {
    let tr = 0;
    for (let i = 0; i < n; i++) tr += p.D[i][i];
    ridge = (1e-10 * tr) / Math.max(1, n) || 1e-12;
    res = runQuadprog(p, ridge);
  }
  if (res.message) throw new QpError(res.message);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = res.solution[i + 1];
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) throw new QpError('solver returned a non-finite solution');
  // Safety net: the dual method can lose precision on badly scaled problems and return a point that violates a
  // constraint without saying so; never hand such a point on.
  const violated = (c: LinearConstraint, isEq: boolean) => {
    let ax = 0;
    let mag = Math.abs(c.b);
    for (let i = 0; i < n; i++) {
      ax += c.a[i] * x[i];
      mag += Math.abs(c.a[i] * x[i]);
    }
    const tol = 1e-8 * (1 + mag);
    return isEq ? Math.abs(ax - c.b) > tol : ax - c.b < -tol;
  };
  if ((p.eq ?? []).some((c) => violated(c, true)) || (p.ineq ?? []).some((c) => violated(c, false))) {
    throw new QpError('solver returned a point that violates the constraints (numerical trouble)');
  }
  const nc = (p.eq?.length ?? 0) + (p.ineq?.length ?? 0);
  const lagrangian = new Float64Array(nc);
  for (let k = 0; k < nc; k++) lagrangian[k] = res.Lagrangian[k + 1] ?? 0;
  return { x, value: res.value[1], ridge, lagrangian };
}
