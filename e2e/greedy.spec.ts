import { test, expect, shot, reference } from './fixtures.ts';

for (const g of reference.greedy.slice(0, 2)) {
  test(`greedy 10 steps equal the torch reference: ${g.text}`, async ({ app, page }, info) => {
    await app.open();
    await app.setPrompt(g.text, g.ids);
    for (let s = 0; s < 10; s++) {
      await app.step();
      const bars = await app.barData();
      const ref = g.steps[s];
      expect(bars.slice(0, 5).map((b) => b.id)).toEqual(ref.top5_ids);
      bars.slice(0, 5).forEach((b, j) => expect(Math.abs(b.prob - ref.top5_probs[j])).toBeLessThan(1e-4));
      // the chosen bar is the top bar
      expect(bars[0].chosen).toBe(true);
      expect(bars.filter((b) => b.chosen).length).toBe(1);
    }
    expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 10));
    // the generated chips carry the model probability of each token (the raw softmax)
    const p = await app.generated.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-prob'))));
    p.forEach((x, s) => expect(Math.abs(x - g.steps[s].top5_probs[0])).toBeLessThan(1e-4));
    await shot(page, info, 'greedy-10');
  });
}
