import type { Tree } from '@nx/devkit';
import { addNamedImport } from '../../source-edits.ts';
import type { FunctionPlan } from '../plan.ts';
import { addBenchScenario, addToServiceStack, BENCH_SCENARIOS } from './stack-edits.ts';

type SchedulePlan = Extract<FunctionPlan, { trigger: 'schedule' }>;

/** The function and the rule that runs it on its schedule. */
export function wireSchedule(tree: Tree, plan: SchedulePlan): void {
  addToServiceStack(
    tree,
    plan.service,
    `    const ${plan.useCase} = this.addFunction('${plan.typeName}Function', {
      handler: '${plan.name}',
      description: ${JSON.stringify(plan.description)},
      invokedBy: 'its schedule, \`${plan.schedule}\`',
      failureMeans: 'a scheduled run of ${plan.name} failed; the next runs on schedule',
    });
    this.runOnSchedule('${plan.typeName}Schedule', ${plan.useCase}, { name: '${plan.name}', schedule: '${plan.schedule}' });
`,
  );
  addNamedImport(tree, BENCH_SCENARIOS, 'scheduledEvent', '@shop/testing/events');
  addBenchScenario(tree, plan.name, '{ event: async () => scheduledEvent(), problem: succeeded }');
}
