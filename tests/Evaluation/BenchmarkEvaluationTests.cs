using PoFT.Hybrid;
using PoFT.Exporter;
using PoFT.Scorer.Benchmarks;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Evaluation;

/// <summary>
/// <c>eval</c>'s numbers from a tiny model with a real tokenizer (Llama 3's): through the scoring pipeline, each
/// choice's log-likelihood equals the sum a single unbatched forward pass gives over the continuation's tokens, and
/// ONNX Runtime (the exported graph) agrees with TorchSharp (the checkpoint) on the same weights.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class BenchmarkEvaluationTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _checkpoint;
    private readonly string _onnx;
    private readonly MultipleChoiceTask _task;

    public BenchmarkEvaluationTests()
    {
        var tokenizer = RepoPaths.Tokenizer("llama3");
        var vocabulary = TokenizerLoader.Load(new("hf", Path.Combine(tokenizer, "tokenizer.json")), tokenizer).VocabularySize!.Value;
        _checkpoint = RandomCheckpoints.Write(_temp.Sub("model"), RandomCheckpoints.Build(vocab: vocabulary, hidden: 32, intermediate: 64), seed: 11, tokenizerDirectory: tokenizer);
        _onnx = _temp.Sub("model-onnx");
        LlamaOnnxExporter.Export(_checkpoint, _onnx, new ExportOptions());
        var path = Path.Combine(_temp.Path, "tiny.jsonl");
        File.WriteAllLines(path,
        [
            """{"context": "The sky is", "choices": ["blue", "green", "made of cheese"], "gold": 0}""",
            """{"context": "Question: 2 + 2 = ?\nAnswer: ", "choices": ["4", "five", "22"], "gold": 0}""",
            """{"context": "Le café est", "choices": ["chaud", "très froid"], "gold": 1}""",
            """{"context": "Pick one:", "choices": ["über", "naïve", "数据"], "gold": 2, "target_delimiter": "\n"}""",
        ]);
        _task = MultipleChoiceTask.Read(path);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Each_choices_log_likelihood_is_the_sum_over_its_continuation_tokens_of_one_forward_pass()
    {
        var (model, _) = EvalModel.Checkpoint(_checkpoint, "cpu");
        using var _ = model.Model;
        var result = await BenchmarkEvaluation.RunAsync("tiny", "torch", model, [_task]);

        var tokenizer = TokenizerLoader.LoadFromModelDirectory(_checkpoint);
        foreach (var (question, scored) in _task.Questions.Zip(result.Tasks[0].Questions))
            for (var c = 0; c < question.Choices.Count; c++)
                Assert.Equal(Reference(model.Model, tokenizer, question.Context, question.Continuation(c)), scored.LogLikelihoods[c], 1e-4);
    }

    [Fact]
    public async Task ONNX_Runtime_and_TorchSharp_give_the_same_log_likelihoods_and_accuracies()
    {
        var (torch, _) = EvalModel.Checkpoint(_checkpoint, "cpu");
        var (ort, backend) = EvalModel.Onnx(_onnx, "cpu", threads: 1);
        using (torch.Model)
        using (ort.Model)
        {
            var byTorch = await BenchmarkEvaluation.RunAsync("tiny", "torch", torch, [_task]);
            var byOrt = await BenchmarkEvaluation.RunAsync("tiny", backend, ort, [_task]);
            var expected = byTorch.Tasks[0].Questions.SelectMany(q => q.LogLikelihoods).ToList();
            var actual = byOrt.Tasks[0].Questions.SelectMany(q => q.LogLikelihoods).ToList();
            Assert.Equal(11, expected.Count);
            foreach (var (e, a) in expected.Zip(actual))
                Assert.Equal(e, a, Math.Abs(e) * 1e-4);
            Assert.Equal(byTorch.Overall with { Task = "" }, byOrt.Overall with { Task = "" });
        }

        var saved = Path.Combine(_temp.Path, "eval.json");
        var result = await Evaluate(ort: false);
        result.Save(saved);
        var loaded = BenchmarkEvaluation.Load(saved);
        Assert.Equal(result.Overall, loaded.Overall);
        Assert.Equal(result.Tasks[0].Questions.Select(q => q.LogLikelihoods), loaded.Tasks[0].Questions.Select(q => q.LogLikelihoods));
    }

    private async Task<BenchmarkEvaluation> Evaluate(bool ort)
    {
        var (model, backend) = ort ? EvalModel.Onnx(_onnx, "cpu", 1) : EvalModel.Checkpoint(_checkpoint, "cpu");
        using var _ = model.Model;
        return await BenchmarkEvaluation.RunAsync("tiny", backend, model, [_task]);
    }

    /// <summary>lm-eval-harness's split, by hand: trailing spaces of the context go to the continuation; the
    /// continuation's tokens are those of the whole text after the context's own; summed from one unpadded row.</summary>
    private static double Reference(ITokenLogProbModel model, ModelTokenizer tokenizer, string context, string continuation)
    {
        var trimmed = context.TrimEnd();
        continuation = context[trimmed.Length..] + continuation;
        var whole = tokenizer.Encode(trimmed + continuation).Ids.Select(i => (long)i).ToArray();
        var contextTokens = tokenizer.Encode(trimmed).Count;
        var output = new float[whole.Length - 1];
        model.TokenLogProbs(whole, Enumerable.Repeat(1L, whole.Length).ToArray(), 1, whole.Length, output);
        // output[t] is log p(token t+1 | ≤ t): the continuation's tokens are t+1 ≥ contextTokens.
        return output.Skip(contextTokens - 1).Sum(v => (double)v);
    }
}
