// The baseline's activity: a round trip through the worker and nothing else.
export const bareActivities = {
  touch(step: number): Promise<number> {
    return Promise.resolve(step);
  },
};
export type BareActivities = typeof bareActivities;
