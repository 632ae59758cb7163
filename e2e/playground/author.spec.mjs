// Tours of one's own and predict-then-see: a teacher makes a tour from free
// play, its link opens it as a tour, a learner answers its question before
// the step runs and is told right or wrong from what the engine recorded;
// hostile tour links (huge, malformed, markup and bidi in narrations) say
// what is wrong and never run anything. Author tours are read and written
// only in the `all` bundle (the `authoring` feature): a core page's Make a
// tour moves there with its free play in the address and `make=1`, and the
// editor opens; a learner's tour link loads that bundle too. The built-in
// tours' questions run in the size-gated bundles.
import { test, expect } from '../fixtures.mjs';
import { watchErrors } from '../helpers.mjs';

const tourLink = (tour) => `./?tour=${Buffer.from(typeof tour === 'string' ? tour : JSON.stringify(tour)).toString('base64url')}`;

const crashTour = (say) => ({
  statelab_tour: 1,
  title: 'Crash <em>it</em>',
  a: 'jwt.rr.3',
  b: 'local.sticky.3',
  steps: [
    { do: ['login alice', 'me alice'], say },
    { do: ['crash 1', 'wait 10s', 'me alice'], say: 'S1 is gone.', ask: { prompt: 'Will it succeed?', about: 'succeeds', lanes: ['A', 'B'] } },
  ],
});

/** Collects every `statelab:answer` event's detail in `window.answers`. */
const listen = (page) =>
  page.evaluate(() => {
    window.answers = [];
    document.addEventListener('statelab:answer', (e) => window.answers.push(e.detail));
  });

const noHorizontalScroll = async (page) => {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
};

test('a teacher makes a tour from free play, and its link opens it as a tour with its question', async ({ page, context }) => {
  const errors = watchErrors(page);
  const log = 'b=local.sticky.3&log=login.alice~me.alice~crash.1~wait.10s~me.alice';
  await page.goto(`./?${log}`);
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  await expect(page.locator('#make-tour-form')).toHaveCount(0);
  await page.getByRole('button', { name: 'Make a tour' }).click();
  // The page moves to the bundle with the editor, keeps its free play and
  // opens the editor with focus on its first field; the address drops make=1.
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'all');
  await expect(page.getByLabel('Title')).toBeFocused();
  await expect(page).toHaveURL(/\?[^#]*log=login\.alice~/);
  await expect(page).not.toHaveURL(/make=/);
  await expect(page.getByRole('group', { name: /^Action 5: / })).toBeVisible();
  await page.getByLabel('Title').fill('My crash tour');
  const action = (n) => page.getByRole('group', { name: new RegExp(`^Action ${n}:`) });
  await action(2).getByLabel('Part of the step before').check();
  await page.getByLabel('Narration of step 1').fill('Alice logs in: <b>watch lb=S1</b>.');
  await action(1).getByLabel('Set-Cookie').check();
  await action(4).getByLabel('Part of the step before').check();
  await action(5).getByLabel('Part of the step before').check();
  await page.getByLabel('Narration of step 2').fill('S1 crashes and leaves rotation.');
  // Keyboard: the question is picked and written without the mouse.
  await page.getByLabel('Question before step 2').selectOption('succeeds');
  await page.getByLabel('The question, in your words').fill('S1 crashes. Will her next request succeed?');
  await action(3).getByLabel('ask about lane A').check();
  await action(3).getByLabel('ask about lane B').check();
  // Made with a step left empty, it says which step and field.
  await page.getByLabel('Narration of step 1').fill('');
  await page.getByRole('button', { name: 'Make the tour' }).click();
  await expect(page.getByRole('alert')).toContainText('The tour is not ready: step 1, `say`: is empty');
  await page.getByLabel('Narration of step 1').fill('Alice logs in: <b>watch lb=S1</b>.');
  await page.getByRole('button', { name: 'Make the tour' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your tour is made' })).toBeVisible();
  await expect(page).toHaveURL(/\?tour=[A-Za-z0-9_-]+&step=0$/);
  await expect(page.getByRole('button', { name: 'Download tour file' })).toBeVisible();
  const link = page.url();
  // It has no prerendered page, so its embed code names it by its link.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
    /\n<statelab-embed link="\?tour=[A-Za-z0-9_-]+&amp;step=0" title="Statelab: My crash tour"><\/statelab-embed>$/,
  );

  const learner = await context.newPage();
  const learnerErrors = watchErrors(learner);
  await learner.goto(link);
  await expect(learner.locator('.scenario-title')).toHaveText('My crash tour');
  // Author tours are read only where they are written: the loader picks that bundle from `tour=`.
  await expect(learner.locator('html')).toHaveAttribute('data-bundle', 'all');
  await learner.getByRole('button', { name: 'Next step' }).click();
  // The narration is text: its markup is shown, not made.
  await expect(learner.locator('.narration p')).toHaveText('Alice logs in: <b>watch lb=S1</b>.');
  await expect(learner.locator('.narration b')).toHaveCount(0);
  await expect(learner.locator('.question')).toContainText('Predict: S1 crashes. Will her next request succeed?');
  await listen(learner);
  await learner.locator('.question').getByRole('group', { name: 'Lane A' }).getByLabel('yes').check();
  // Not answered for every lane: it says which, and nothing runs.
  await learner.getByRole('button', { name: 'Answer and play the step' }).click();
  await expect(learner.getByRole('alert')).toHaveText('Choose an answer for lane B first.');
  await learner.locator('.question').getByRole('group', { name: 'Lane B' }).getByLabel('yes').press('Space');
  await learner.getByRole('button', { name: 'Answer and play the step' }).click();
  const verdict = learner.locator('.prediction');
  await expect(verdict).toContainText('Lane A: ✓ right — you said yes; it was yes (#3 got 200 from S3).');
  await expect(verdict).toContainText('Lane B: ✕ wrong — you said yes; it was no (#3 got 401 from S2).');
  expect(await learner.evaluate(() => window.answers)).toEqual([
    { tour: 'authored', step: 2, answers: { A: 'yes', B: 'yes' }, actual: { A: 'yes', B: 'no' }, correct: false },
  ]);
  expect(errors).toEqual([]);
  expect(learnerErrors).toEqual([]);
});

test('a built-in tour asks at its turning point, and the easy guess is wrong', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('./tour/sticky-crash/2/');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  const question = page.locator('.question');
  await expect(question).toContainText('Which server answers it?');
  // The question, its choices and its button fit on a phone's screen
  // together, below the step's evidence (which keeps the first screen).
  await question.scrollIntoViewIfNeeded();
  const box = await question.boundingBox();
  expect(box.height).toBeLessThanOrEqual(800);
  await listen(page);
  await question.getByRole('group', { name: 'Lane A' }).getByLabel('S2').check();
  await question.getByRole('group', { name: 'Lane B' }).getByLabel('the balancer').check();
  await page.getByRole('button', { name: 'Answer and play the step' }).click();
  await expect(page.locator('.prediction')).toContainText('Lane A: ✕ wrong — you said S2; it was the balancer');
  await expect(page.locator('.prediction')).toContainText('Lane B: ✓ right');
  expect((await page.evaluate(() => window.answers))[0]).toMatchObject({ tour: 'sticky-crash', step: 3, correct: false });
  await noHorizontalScroll(page);
});

test('hostile tour links say what is wrong and run nothing', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 360, height: 800 });
  const alert = page.getByRole('alert');

  await page.goto(`./?tour=${'A'.repeat(40_000)}`);
  await expect(alert).toContainText('the tour in this link was refused (the tour link is 40000 characters; at most 32000 are read); showing free play instead');

  await page.goto(tourLink('{"statelab_tour": 1,\n "title": "x",,}'));
  await expect(alert).toContainText('the tour in this link was refused (line 2, column 15: expected a member name)');

  await page.goto(tourLink(crashTour('Alice \u202Egol ni\u202C logs in.')));
  await expect(alert).toContainText('step 1, `say`: character 7 is U+202E');
  expect(await alert.textContent()).not.toContain('\u202E');

  await page.goto(tourLink({ ...crashTour('x'), steps: Array(31).fill({ do: ['wait 10s'], say: 'x' }) }));
  await expect(alert).toContainText('`steps`: 31 steps; a tour has 1 to 30');

  await page.goto(tourLink(crashTour('<img src=x onerror="window.pwned=1"> <script>window.pwned=1</script>')));
  await expect(page.locator('.scenario-title')).toHaveText('Crash <em>it</em>');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration p')).toContainText('<img src=x onerror="window.pwned=1">');
  await expect(page.locator('.step-view img, .step-view script, .scenario em')).toHaveCount(0);
  expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  await noHorizontalScroll(page);
  expect(errors).toEqual([]);
});
