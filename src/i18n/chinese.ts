/**
 * Messages of issue #17 (Chinese in the classroom): the embedded model's plain card and notice,
 * whole-character options, replace / append, token tooltips. Spread into en.ts, zh-Hans.ts and
 * zh-Hant.ts; English is the source of the keys.
 */
export const chineseEn = {
  'notice.embeddedShort': 'Built-in toy model: no modern Chinese',
  'notice.embedded': 'The built-in model is a tiny toy trained on old English and classical Chinese: it does not write modern Chinese.',
  'notice.embeddedWay': 'For modern Chinese, choose a model under “{{group}}” in the model picker (a larger download), or load such a model from a folder.',
  'card.embedded.modernText': 'Choose {{models}} under “{{group}}” in the model picker (a download of about half a gigabyte; fastest with a graphics card, WebGPU), or load such a model from a folder.',
  'notice.card': 'What this model is',
  'models.classicalChinese': 'classical Chinese only (no modern Chinese)',
  'settings.earlyStopping.true': 'true: stop when k are finished',
  'settings.earlyStopping.false': 'false: stop when none can win',
  'settings.earlyStopping.never': 'never: run to the end',

  'card.embedded.what': 'What it is',
  'card.embedded.whatText':
    'A tiny language model made for this app: about 1.9 million parameters (the chat models people use have billions). It runs entirely in your browser.',
  'card.embedded.learned': 'What it learned from',
  'card.embedded.learnedText':
    'About 6.8 million characters of old texts from Debian packages: the King James Bible (1611, about 61 %), English fortune-cookie sayings (about 33 %), and Chinese fortunes (about 6 %): classical poems (唐诗三百首, 宋词一百首), sayings from 论语 and 道德经, proverbs.',
  'card.embedded.can': 'What it is good for',
  'card.embedded.canText':
    'Showing how generation works: a probability for every token, one step at a time, sampling, beam search. Its English sounds like the Bible; its Chinese sounds like classical poetry.',
  'card.embedded.cannot': 'What it cannot do',
  'card.embedded.cannotText':
    'It does not write modern Chinese: it has hardly ever seen any. After 今天天气真 it prefers “，” (18 %) to 好 (0.6 %, rank 13). It knows no facts, cannot answer questions or chat, and its sentences often make no sense. Many modern characters (智, 强, 這, 們) are not one token in its vocabulary: they are spelled with two or three byte tokens.',
  'card.embedded.numbers': 'Measured',
  'card.embedded.numbersText':
    'On held-out text of its own kind: 3.98 nats per token (perplexity 53). On twelve modern Chinese sentences written for the test: perplexity about 670 per character.',
  'card.embedded.modern': 'For modern Chinese',
  'card.embedded.licence': 'Licence: GPL-3.0-or-later (the Chinese fortunes it learned from are GPL).',
  'card.developer': 'Details for developers (the model folder’s README)',

  'whole.computing': 'Working out whole characters…',
  'whole.note':
    'Options are whole characters or words. A character made of several byte tokens gets the product of their probabilities along the tokenizer’s own spelling; other ways of spelling it are not counted.',
  'whole.tooltip': '{{text}}: P = {{prob}}, the product of the probabilities of its {{n}} tokens {{tokens}} along the tokenizer’s own spelling (other spellings not counted)',
  'whole.midChar': 'The text ends in the middle of a character: the options are the characters these bytes can become.',
  'quiz.moved': 'This step predicts a byte in the middle of a character, so the quiz asks about the next step that predicts whole characters (step {{step}}).',

  'dist.targetLabel': 'Click a bar to',
  'dist.targetReplace': 'replace this token',
  'dist.targetAppend': 'append after the cursor',
  'dist.afterCursor': 'After the cursor: the distribution of token {{n}} (click a bar to append it)',
  'dist.replace': 'Replace this token',
  'dist.append': 'Append after the cursor',
  'dist.replaceResult': 'Replace: {{token}} at this step — model {{prob}} (rank {{rank}}), final {{final}} (rank {{finalRank}})',
  'dist.appendResult': 'Append after the cursor: {{tokens}} — P = {{prob}}',
  'dist.appendSplit': 'the tokenizer’s own split into {{n}} tokens; P is the product of their model probabilities',
  'dist.appendNone': 'Nothing to append: not in the vocabulary.',

  'tok.details': '{{text}} · token #{{id}} · bytes {{bytes}}',
  'tok.partialNote': 'part of a character',
  'tok.raw': 'How the tokenizer spells it',
  'tok.rawExplain': 'In the tokenizer’s own spelling, Ġ stands for a space and Ċ for a line break (byte-level BPE, as in GPT-2); ▁ stands for a space (SentencePiece); <0xE5> is one raw byte.',
  'tok.rawOf': 'token #{{id}} is spelled {{raw}}',
} as const;

export type ChineseMessages = Record<keyof typeof chineseEn, string>;

export const chineseZhHans: ChineseMessages = {
  'notice.embeddedShort': '内置模型是小玩具：不会写现代中文',
  'notice.embedded': '内置模型只是一个用古英语和古典中文训练的小玩具：它不会写现代中文。',
  'notice.embeddedWay': '要写现代中文，请在模型选择器的“{{group}}”中选一个模型（下载较大），或者从文件夹加载这样的模型。',
  'card.embedded.modernText': '在模型选择器的“{{group}}”中选择 {{models}}（下载大约半个 GB；有显卡 WebGPU 时最快），或者从文件夹加载这样的模型。',
  'notice.card': '这个模型是什么',
  'models.classicalChinese': '只会古典中文（不会现代中文）',
  'settings.earlyStopping.true': '是（true）：k 个候选完成就停',
  'settings.earlyStopping.false': '否（false）：没有候选还能胜出时停',
  'settings.earlyStopping.never': '从不（never）：运行到最后',

  'card.embedded.what': '它是什么',
  'card.embedded.whatText': '一个为本应用制作的小型语言模型：大约 190 万个参数（人们平时用的对话模型有几十亿个）。它完全在你的浏览器里运行。',
  'card.embedded.learned': '它从哪里学的',
  'card.embedded.learnedText':
    '大约 680 万个字符的旧文本，来自 Debian 软件包：英王钦定版圣经（1611 年，约 61%）、英文“幸运饼干”格言（约 33%），以及中文格言（约 6%）：古诗词（唐诗三百首、宋词一百首）、论语和道德经的语句、谚语。',
  'card.embedded.can': '它适合做什么',
  'card.embedded.canText': '演示生成是怎样进行的：每个词元都有一个概率，一步一步生成，采样，束搜索。它的英文听起来像圣经，它的中文听起来像古诗。',
  'card.embedded.cannot': '它做不到什么',
  'card.embedded.cannotText':
    '它不会写现代中文：它几乎没见过现代中文。在“今天天气真”之后，它更偏向“，”（18%）而不是“好”（0.6%，第 13 名）。它不知道任何事实，不能回答问题或对话，写出的句子常常没有意思。很多现代汉字（智、强、這、們）在它的词表里不是一个词元，而是用两三个字节词元拼出来的。',
  'card.embedded.numbers': '测量结果',
  'card.embedded.numbersText': '在同类的留出文本上：每个词元 3.98 奈特（困惑度 53）。在为测试写下的十二个现代中文句子上：每个字的困惑度约为 670。',
  'card.embedded.modern': '要写现代中文',
  'card.embedded.licence': '许可证：GPL-3.0-or-later（它学习的中文格言采用 GPL）。',
  'card.developer': '给开发者的详细信息（模型文件夹里的 README）',

  'whole.computing': '正在计算完整的字…',
  'whole.note': '选项都是完整的字或词。由几个字节词元组成的字，它的概率是按分词器自己的拼法把这些词元的概率相乘；同一个字的其他拼法不计算在内。',
  'whole.tooltip': '{{text}}：P = {{prob}}，即按分词器自己的拼法，把它的 {{n}} 个词元 {{tokens}} 的概率相乘（其他拼法不计算在内）',
  'whole.midChar': '文本停在一个字的中间：选项是这些字节可以组成的字。',
  'quiz.moved': '这一步预测的是一个字中间的字节，所以测验改问下一个预测完整字的步骤（第 {{step}} 步）。',

  'dist.targetLabel': '点击条形：',
  'dist.targetReplace': '替换这个词元',
  'dist.targetAppend': '接在光标后面',
  'dist.afterCursor': '光标之后：第 {{n}} 个词元的概率分布（点击条形把它接上）',
  'dist.replace': '替换这个词元',
  'dist.append': '接在光标后面',
  'dist.replaceResult': '替换：这一步的 {{token}}——模型 {{prob}}（第 {{rank}} 名），最终 {{final}}（第 {{finalRank}} 名）',
  'dist.appendResult': '接在光标后面：{{tokens}}——P = {{prob}}',
  'dist.appendSplit': '分词器自己的切分，共 {{n}} 个词元；P 是它们的模型概率的乘积',
  'dist.appendNone': '没有可以接上的内容：不在词表中。',

  'tok.details': '{{text}} · 词元 #{{id}} · 字节 {{bytes}}',
  'tok.partialNote': '一个字的一部分',
  'tok.raw': '分词器怎样拼写它',
  'tok.rawExplain': '在分词器自己的拼法里，Ġ 表示空格，Ċ 表示换行（字节级 BPE，和 GPT-2 一样）；▁ 表示空格（SentencePiece）；<0xE5> 是一个原始字节。',
  'tok.rawOf': '词元 #{{id}} 拼写为 {{raw}}',
};

export const chineseZhHant: ChineseMessages = {
  'notice.embeddedShort': '內建模型是小玩具：不會寫現代中文',
  'notice.embedded': '內建模型只是一個用古英語和古典中文訓練的小玩具：它不會寫現代中文。',
  'notice.embeddedWay': '要寫現代中文，請在模型選擇器的「{{group}}」中選一個模型（下載較大），或從資料夾載入這樣的模型。',
  'card.embedded.modernText': '在模型選擇器的「{{group}}」中選擇 {{models}}（下載大約半個 GB；有顯示卡 WebGPU 時最快），或從資料夾載入這樣的模型。',
  'notice.card': '這個模型是什麼',
  'models.classicalChinese': '只會古典中文（不會現代中文）',
  'settings.earlyStopping.true': '是（true）：k 個候選完成就停',
  'settings.earlyStopping.false': '否（false）：沒有候選還能勝出時停',
  'settings.earlyStopping.never': '永不（never）：執行到最後',

  'card.embedded.what': '它是什麼',
  'card.embedded.whatText': '一個為本應用程式製作的小型語言模型：大約 190 萬個參數（人們平常用的對話模型有幾十億個）。它完全在你的瀏覽器裡執行。',
  'card.embedded.learned': '它從哪裡學的',
  'card.embedded.learnedText':
    '大約 680 萬個字元的舊文本，來自 Debian 套件：英王欽定版聖經（1611 年，約 61%）、英文「幸運餅乾」格言（約 33%），以及中文格言（約 6%）：古詩詞（唐詩三百首、宋詞一百首）、論語和道德經的語句、諺語。',
  'card.embedded.can': '它適合做什麼',
  'card.embedded.canText': '示範生成是怎樣進行的：每個詞元都有一個機率，一步一步產生，抽樣，集束搜尋。它的英文聽起來像聖經，它的中文聽起來像古詩。',
  'card.embedded.cannot': '它做不到什麼',
  'card.embedded.cannotText':
    '它不會寫現代中文：它幾乎沒看過現代中文。在「今天天气真」之後，它比較偏向「，」（18%）而不是「好」（0.6%，第 13 名）。它不知道任何事實，不能回答問題或對話，寫出的句子常常沒有意思。很多現代漢字（智、强、這、們）在它的詞表裡不是一個詞元，而是用兩三個位元組詞元拼出來的。',
  'card.embedded.numbers': '測量結果',
  'card.embedded.numbersText': '在同類的保留文本上：每個詞元 3.98 奈特（困惑度 53）。在為測試寫下的十二個現代中文句子上：每個字的困惑度約為 670。',
  'card.embedded.modern': '要寫現代中文',
  'card.embedded.licence': '授權：GPL-3.0-or-later（它學習的中文格言採用 GPL）。',
  'card.developer': '給開發者的詳細資訊（模型資料夾裡的 README）',

  'whole.computing': '正在計算完整的字…',
  'whole.note': '選項都是完整的字或詞。由幾個位元組詞元組成的字，它的機率是按分詞器自己的拼法把這些詞元的機率相乘；同一個字的其他拼法不計算在內。',
  'whole.tooltip': '{{text}}：P = {{prob}}，即按分詞器自己的拼法，把它的 {{n}} 個詞元 {{tokens}} 的機率相乘（其他拼法不計算在內）',
  'whole.midChar': '文字停在一個字的中間：選項是這些位元組可以組成的字。',
  'quiz.moved': '這一步預測的是一個字中間的位元組，所以測驗改問下一個預測完整字的步驟（第 {{step}} 步）。',

  'dist.targetLabel': '點擊長條：',
  'dist.targetReplace': '替換這個詞元',
  'dist.targetAppend': '接在游標後面',
  'dist.afterCursor': '游標之後：第 {{n}} 個詞元的機率分布（點擊長條把它接上）',
  'dist.replace': '替換這個詞元',
  'dist.append': '接在游標後面',
  'dist.replaceResult': '替換：這一步的 {{token}}——模型 {{prob}}（第 {{rank}} 名），最終 {{final}}（第 {{finalRank}} 名）',
  'dist.appendResult': '接在游標後面：{{tokens}}——P = {{prob}}',
  'dist.appendSplit': '分詞器自己的切分，共 {{n}} 個詞元；P 是它們的模型機率的乘積',
  'dist.appendNone': '沒有可以接上的內容：不在詞表中。',

  'tok.details': '{{text}} · 詞元 #{{id}} · 位元組 {{bytes}}',
  'tok.partialNote': '一個字的一部分',
  'tok.raw': '分詞器怎樣拼寫它',
  'tok.rawExplain': '在分詞器自己的拼法裡，Ġ 表示空格，Ċ 表示換行（位元組級 BPE，和 GPT-2 一樣）；▁ 表示空格（SentencePiece）；<0xE5> 是一個原始位元組。',
  'tok.rawOf': '詞元 #{{id}} 拼寫為 {{raw}}',
};
