/**
 * Types for the `quadprog` package (v1.6.1, no bundled types): a port of R's quadprog (Goldfarb–Idnani dual method).
 * Every array is 1-BASED (index 0 unused), as in the Fortran original. Use engine/optimize/qp.ts, not this directly.
 */
declare module 'quadprog' {
  export interface QuadprogResult {
    solution: number[];
    Lagrangian: number[];
    value: number[];
    unconstrained_solution: number[];
    iterations: number[];
    iact: number[];
    message: string;
  }
  /** minimise −dᵀb + ½ bᵀDb subject to Aᵀb ≥ b0, the first `meq` constraints as equalities. Modifies Dmat and dvec. */
  export function solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
    factorized?: number[],
  ): QuadprogResult;
}
