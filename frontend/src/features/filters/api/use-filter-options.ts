import { type Filters, filtersKey, windowParams } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import { prepareSliceOptions, type SliceOptions } from '../lib/options';

/** Models and tags seen in the window, for the filter bar and the compare screen. */
export function useSliceOptions(agentId: string, filters: Filters) {
  const win = windowParams(filters);
  const production = filters.production === 'true' ? undefined : filters.production;
  return useApi<SliceOptions>(
    `slice-options|${agentId}|${filtersKey({ ...filters, tag: null, model: null })}`,
    async (c, signal) => {
      const [models, sample] = await Promise.all([
        c.breakdown(agentId, { ...win, production, by: 'model' }, signal),
        c.sessions(agentId, { ...win, production, limit: 200 }, signal),
      ]);
      return prepareSliceOptions(models, sample);
    },
  );
}
