/** The part of jStat (npm `jstat`, no bundled types) the engine uses. */
declare module 'jstat' {
  const jStat: {
    chisquare: {
      /** P(X ≤ x) for X ~ χ²(dof). */
      cdf(x: number, dof: number): number;
      /** The p-quantile of χ²(dof). */
      inv(p: number, dof: number): number;
    };
  };
  export default jStat;
}
