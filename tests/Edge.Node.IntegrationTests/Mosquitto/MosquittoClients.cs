using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace Edge.Node.IntegrationTests.Mosquitto;

/// <summary>One message as mosquitto_sub printed it.</summary>
public sealed record ReceivedLine(string Topic, string Payload, bool Retained);

/// <summary>
/// The real `mosquitto_sub`, as the gateway side of a test: subscribes (QoS 1, MQTT 3.1.1) with the
/// gateway's credentials and collects every message it prints.
/// </summary>
public sealed class MosquittoSub : IAsyncDisposable
{
    private const string Marker = "MSG ";
    private readonly Process _process;
    private readonly List<ReceivedLine> _messages = new();
    private readonly List<string> _output = new();
    private readonly string _probeTopic;

    private MosquittoSub(Process process, string probeTopic)
    {
        _process = process;
        _probeTopic = probeTopic;
    }

    /// <summary>Starts mosquitto_sub on <paramref name="topics"/> and returns once the broker has acknowledged the subscription.</summary>
    public static async Task<MosquittoSub> StartAsync(MosquittoBroker broker, params string[] topics)
    {
        var start = new ProcessStartInfo("mosquitto_sub") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-h", broker.Host, "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-u", MosquittoBroker.GatewayUser, "-P", MosquittoBroker.GatewayPassword, "-V", "mqttv311", "-q", "1",
                     "-F", Marker + "%r %t %p" })
        {
            start.ArgumentList.Add(a);
        }
        // mosquitto_sub's stdout is block-buffered when it is not a terminal (only messages are flushed),
        // so its own "SUBACK" line cannot tell when it is subscribed. Instead it also subscribes to a
        // probe topic, and the probe is published until it comes back.
        string probe = "edge/probe/" + Guid.NewGuid().ToString("N");
        foreach (string t in topics.Append(probe)) { start.ArgumentList.Add("-t"); start.ArgumentList.Add(t); }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start mosquitto_sub");
        var sub = new MosquittoSub(process, probe);
        process.OutputDataReceived += (_, e) => sub.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sub.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + Wait.HangLimit;
        while (!sub.ProbeSeen)
        {
            if (process.HasExited) throw new InvalidOperationException("mosquitto_sub exited: " + sub.Output);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("mosquitto_sub did not subscribe: " + sub.Output);
            await MosquittoPub.PublishAsync(broker, probe, "probe");
            try { await Wait.Until(() => sub.ProbeSeen, "the probe", TimeSpan.FromSeconds(1)); } catch (TimeoutException) { }
        }
        return sub;
    }

    private bool ProbeSeen { get { lock (_messages) return _probeSeen; } }

    private bool _probeSeen;

    public string Output { get { lock (_messages) return string.Join('\n', _output); } }

    public IReadOnlyList<ReceivedLine> Messages { get { lock (_messages) return _messages.ToArray(); } }

    public IReadOnlyList<ReceivedLine> On(string topic) => Messages.Where(m => m.Topic == topic).ToArray();

    public Task<ReceivedLine> WaitForAsync(string topic, Func<string, bool>? payload = null, string? what = null)
    {
        return WaitForAsync(m => m.Topic == topic && (payload == null || payload(m.Payload)), what ?? "a message on " + topic);
    }

    public async Task<ReceivedLine> WaitForAsync(Func<ReceivedLine, bool> match, string what)
    {
        ReceivedLine? found = null;
        await Wait.Until(() => (found = Messages.FirstOrDefault(match)) != null, what + " (mosquitto_sub saw:\n" + Output + ")");
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line == null) return;
        lock (_messages)
        {
            _output.Add(line);
            if (!line.StartsWith(Marker, StringComparison.Ordinal)) return;
            // "MSG <retain 0|1> <topic> <payload>"; topics never contain spaces (protocol §2.1).
            string rest = line.Substring(Marker.Length);
            int first = rest.IndexOf(' ');
            int second = rest.IndexOf(' ', first + 1);
            string topic = second < 0 ? rest.Substring(first + 1) : rest.Substring(first + 1, second - first - 1);
            string payload = second < 0 ? "" : rest.Substring(second + 1);
            if (topic == _probeTopic) { _probeSeen = true; return; }
            _messages.Add(new ReceivedLine(topic, payload, rest[0] == '1'));
        }
    }
}

/// <summary>The real `mosquitto_pub`, publishing as the gateway (QoS 1, MQTT 3.1.1).</summary>
public static class MosquittoPub
{
    public static Task PublishAsync(MosquittoBroker broker, string topic, string payload, bool retain = false,
        string user = MosquittoBroker.GatewayUser, string password = MosquittoBroker.GatewayPassword)
    {
        var args = new List<string>
        {
            "-h", broker.Host, "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-u", user, "-P", password, "-V", "mqttv311", "-q", "1", "-t", topic, "-m", payload,
        };
        if (retain) args.Add("-r");
        return MosquittoBroker.RunAsync("mosquitto_pub", args.ToArray());
    }
}
