// CPU profile of the float64 inner-loss gradient (10 synthetic images, R-H quantum LeNet): where the inner steps spend their time.
// `node --cpu-prof --cpu-prof-dir=prof --import tsx experiments/paper-000/scripts/profile-inner.ts`, then open the .cpuprofile (40 gradients).
import { batchLabels, DistillRunner } from '../../../sdk/distill/dataset.js';
import { createKernel } from '../../../sdk/kernel/kernel.js';
import { init, Tensor, valueAndGrad } from '../../../sdk/nn/index.js';
import { Random } from '../../../sdk/util/random.js';

await init();
const runner = await DistillRunner.create({ arch: 'quantum-lenet-000', numClasses: 10 }, [1, 28, 28], 'float64', false, await createKernel());
const theta0 = runner.initialParams('paper-000', [0, 0]);
const rng = new Random(5);
const syn = new Tensor(Float64Array.from({ length: 10 * 784 }, () => rng.normal()), [10, 1, 28, 28]);
const loss = runner.innerLoss([batchLabels(10, 1)]);
for (let i = 0; i < 40; i++) valueAndGrad((p, x) => loss(p, x, 0), theta0, syn, { inputGrad: true });
