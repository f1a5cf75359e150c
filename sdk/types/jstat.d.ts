// The part of jstat (https://github.com/jstat/jstat) qdistill uses; the package ships no types.
declare module 'jstat' {
  interface StudentT {
    /** Quantile of Student's t distribution with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
    /** Cumulative distribution function. */
    cdf(x: number, dof: number): number;
  }
  const jStat: { studentt: StudentT };
  export default { jStat };
  export { jStat };
}
