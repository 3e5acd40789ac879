import type { Lesson } from './types.ts';
import { L } from './text.ts';

/**
 * Lesson 9 (issue #21): beyond one token at a time. Speculative decoding with prompt lookup on a
 * passage the model repeats (fewer forward passes, the same text as greedy stepping), and a choice
 * constraint that forces “yes or no”. Prompts chosen by running the committed weights: after the
 * Genesis passage the model loops on “, and the earth”, so lookups are accepted; asked “Is the sky
 * green? Answer yes or no:” it writes “\nThe balls of the baths…” unconstrained and “ no” + EOS
 * under the choice list (where “ no” had a model probability under 1 %).
 */
export const fasterSafer: Lesson = {
  id: 'faster-safer',
  title: L('Faster and safer', '更快，也更稳妥', '更快，也更穩妥'),
  steps: [
    {
      region: 'generated',
      actions: [
        { do: 'settings', maxNewTokens: 64 },
        { do: 'prompt', text: 'In the beginning God created the heaven and the earth. In the beginning God created the heaven and the earth. In the beginning' },
        { do: 'speculative', drafter: 'prompt-lookup', k: 5 },
      ],
      claims: [
        { kind: 'spec-accepted', min: 10 },
        { kind: 'spec-forwards-per-token', max: 0.6 },
        { kind: 'generated-count', value: 64 },
      ],
      text: L(
        'Generation is strictly one token after another, so long texts are slow. Speculative decoding guesses ahead: here the guess is “prompt lookup” — find the last few tokens earlier in the text and propose the k tokens that followed them. The model then checks all k guesses in ONE forward pass and keeps those it would have chosen itself. This text repeats itself, so many guesses are kept: 64 tokens took far fewer than 64 forward passes (see the rounds under “Speculative decoding”).',
        '生成严格地一个词元接一个词元，所以长文本很慢。推测解码先往前猜：这里用的是“提示查找”——在前文中找到最后几个词元出现过的地方，把它们后面的 k 个词元当作猜测。然后模型用一次前向计算检查全部 k 个猜测，保留它自己也会选的那些。这段文本不断重复，所以很多猜测被保留：64 个词元用的前向计算远少于 64 次（见“推测解码”下面的各轮）。',
        '生成嚴格地一個詞元接一個詞元，所以長文字很慢。推測解碼先往前猜：這裡用的是「提示查找」——在前文中找到最後幾個詞元出現過的地方，把它們後面的 k 個詞元當作猜測。然後模型用一次前向計算檢查全部 k 個猜測，保留它自己也會選的那些。這段文字不斷重複，所以很多猜測被保留：64 個詞元用的前向計算遠少於 64 次（見「推測解碼」下面的各輪）。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'home' }, { do: 'run-to-end' }],
      claims: [{ kind: 'same-as-speculative' }, { kind: 'forward-passes', min: 60 }],
      text: L(
        'Faster, but not different: back at the prompt, plain greedy decoding, one forward pass per token, writes exactly the same 64 tokens. Speculation only skips work; with sampling, the accept/reject rule keeps exactly the model’s probabilities too.',
        '更快，但不会不同：回到提示，用普通的贪心解码，每个词元一次前向计算，写出的正好是同样的 64 个词元。推测只是省掉了工作；在采样时，接受/拒绝的规则也让结果的概率和模型完全一样。',
        '更快，但不會不同：回到提示，用一般的貪婪解碼，每個詞元一次前向計算，寫出的正好是同樣的 64 個詞元。推測只是省掉了工作；在取樣時，接受/拒絕的規則也讓結果的機率和模型完全一樣。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'settings', maxNewTokens: 12 }, { do: 'prompt', text: 'Is the sky green? Answer yes or no:' }, { do: 'run-to-end' }],
      claims: [{ kind: 'answer-in', options: [' yes', ' no'], value: false }],
      text: L(
        'Now safer. Asked to “answer yes or no”, this small model does not: it just writes on. Asking nicely is no guarantee that the answer has the form a program needs.',
        '再看更稳妥。要求它“回答 yes 或 no”，这个小模型并不照做：它只是接着往下写。好好地要求，并不能保证答案是程序需要的格式。',
        '再看更穩妥。要求它「回答 yes 或 no」，這個小模型並不照做：它只是接著往下寫。好好地要求，並不能保證答案是程式需要的格式。',
      ),
    },
    {
      region: 'settings',
      actions: [{ do: 'settings', constraint: { kind: 'choice', text: ' yes\n no' } }, { do: 'home' }, { do: 'run-to-end' }],
      claims: [{ kind: 'answer-in', options: [' yes', ' no'], value: true }, { kind: 'stop-reason', reason: 'eos' }, { kind: 'generated-count', value: 2 }],
      text: L(
        'A constraint of the kind “one of a list” (under Decoding settings) allows only “ yes” or “ no”. Before each choice, every token that would leave the list is masked out, and EOS is allowed only when an answer is complete. The model must answer “ no” and stop — even though it gave “ no” less than 1 % on its own. This is how engines guarantee valid JSON.',
        '“列表中的一项”这种约束（在解码设置里）只允许“ yes”或“ no”。每次选择之前，会离开这个列表的词元全被遮掉；只有答案完整时才允许 EOS。模型只能回答“ no”并停下——尽管它自己给“ no”的概率不到 1%。推理引擎就是这样保证输出合法的 JSON。',
        '「清單中的一項」這種約束（在解碼設定裡）只允許「 yes」或「 no」。每次選擇之前，會離開這個清單的詞元全被遮掉；只有答案完整時才允許 EOS。模型只能回答「 no」並停下——儘管它自己給「 no」的機率不到 1%。推論引擎就是這樣保證輸出合法的 JSON。',
      ),
    },
  ],
};
