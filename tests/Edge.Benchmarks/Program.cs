using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// N QoS 1 publishers (MQTTnet clients, K messages in flight each) at (1) the Edge gateway started as its own process
/// with the durable outbox on (synchronous=FULL), and (2) Mosquitto started with its own config (no persistence)
/// and one QoS 1 subscriber on the whole tree. Prints messages/s and publish-to-PUBACK latency p50/p99 for both, as
/// text and as one JSON line per target.
/// </summary>
public static class Program
{
    sealed record Settings(int Publishers, int MessagesPerPublisher, int InFlight, string Synchronous);

    sealed record Result(string Target, int Publishers, int InFlight, long Messages, double Seconds, double MessagesPerSecond, double P50Ms, double P99Ms, double MaxMs);

    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine("Edge.Benchmarks [--publishers N=50] [--messages M=2000 per publisher] [--inflight K=4] [--synchronous FULL|NORMAL]");
            Console.WriteLine("                [--rounds R=5] [--out results.json] [--load \"what else runs on the machine\"]");
            return 0;
        }
        var settings = new Settings(Arg(args, "--publishers", 50), Arg(args, "--messages", 2000), Arg(args, "--inflight", 4),
            Spread.Option(args, "--synchronous") ?? "FULL");
        var rounds = Math.Max(1, Arg(args, "--rounds", 5));
        var before = Spread.Machine(Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {settings.Publishers} publishers × {settings.MessagesPerPublisher} QoS 1 messages, {settings.InFlight} in flight each; {rounds} rounds, A/B order alternating");

        var gateway = new List<Result>();
        var mosquitto = new List<Result>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which target goes first, so a drift in the machine's load does not favour one of them.
            if (round % 2 == 0)
            {
                gateway.Add(await RunGatewayAsync(settings));
                mosquitto.Add(await RunMosquittoAsync(settings));
            }
            else
            {
                mosquitto.Add(await RunMosquittoAsync(settings));
                gateway.Add(await RunGatewayAsync(settings));
            }
            Console.WriteLine($"round {round + 1}: gateway {gateway[^1].MessagesPerSecond:F0} msg/s, mosquitto {mosquitto[^1].MessagesPerSecond:F0} msg/s");
        }
        Console.WriteLine("median [min–max] over the rounds:");
        var summary = new Dictionary<string, object>();
        foreach (var (name, results) in new[] { ("gateway", gateway), ("mosquitto", mosquitto) })
        {
            var rate = Spread.Of(results.Select(r => r.MessagesPerSecond));
            var p50 = Spread.Of(results.Select(r => r.P50Ms));
            var p99 = Spread.Of(results.Select(r => r.P99Ms));
            Console.WriteLine($"{results[0].Target,-28} {rate.Text("F0")} msg/s   p50 {p50.Text("F2")} ms   p99 {p99.Text("F2")} ms");
            summary[name] = new { messagesPerSecond = rate, p50Ms = p50, p99Ms = p99 };
        }
        var ratio = Spread.Of(gateway.Zip(mosquitto, (g, m) => g.MessagesPerSecond / m.MessagesPerSecond));
        Console.WriteLine($"gateway / mosquitto rate (per round): {ratio.Text("P0")}");
        summary["gatewayToMosquittoRate"] = ratio;
        var path = Spread.Write("gateway-vs-mosquitto", new
        {
            what = "MQTT publish to PUBACK, end to end over loopback: gateway process (durable outbox) vs Mosquitto (no persistence, one subscriber)",
            settings, rounds, machineBefore = before, machineAfter = Spread.Machine(null), summary, gateway, mosquitto,
        }, Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {path}");
        return 0;
    }

    static async Task<Result> RunGatewayAsync(Settings settings)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        var mqttPort = FreePort();
        var httpPort = FreePort();
        using var process = StartProcess("dotnet", Path.Combine(AppContext.BaseDirectory, "Edge.Gateway.dll"), "--data-dir", dataDir, "--port", mqttPort.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--synchronous", settings.Synchronous, "--Logging:LogLevel:Default=Warning");
        try
        {
            using var http = new HttpClient();
            await WaitAsync(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{httpPort}/health")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });
            var credentials = new List<(string Id, string Secret)>();
            for (var i = 0; i < settings.Publishers; i++)
            {
                var id = $"sl-{i:0000}";
                var response = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId = id, site = "bench", type = "streetlight" });
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
                credentials.Add((id, body!["secret"]));
            }
            var result = await DriveAsync($"gateway (durable, {settings.Synchronous})", settings, mqttPort, credentials);
            // The outbox must hold exactly what was acknowledged.
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics");
            var depth = metrics.Split('\n').First(l => l.StartsWith("edge_gateway_outbox_depth ", StringComparison.Ordinal));
            Console.WriteLine($"# gateway {depth} (expected {result.Messages})");
            return result;
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    static async Task<Result> RunMosquittoAsync(Settings settings)
    {
        var dir = Path.Combine(Path.GetTempPath(), "edge-bench-mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = FreePort();
        var config = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\nlog_type error\n");
        using var process = StartProcess("mosquitto", "-c", config);
        try
        {
            var subscriber = new MqttClientFactory().CreateMqttClient();
            long received = 0;
            subscriber.ApplicationMessageReceivedAsync += _ => { Interlocked.Increment(ref received); return Task.CompletedTask; };
            await WaitAsync(async () =>
            {
                try
                {
                    await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311).WithClientId("bench-subscriber").Build());
                    return true;
                }
                catch (Exception) { return false; }
            });
            await subscriber.SubscribeAsync("edge/#", MqttQualityOfServiceLevel.AtLeastOnce);
            var credentials = Enumerable.Range(0, settings.Publishers).Select(i => ($"sl-{i:0000}", "")).ToList();
            var result = await DriveAsync("mosquitto (1 subscriber)", settings, port, credentials);
            await WaitAsync(() => Task.FromResult(Interlocked.Read(ref received) >= result.Messages));
            Console.WriteLine($"# mosquitto subscriber received {Interlocked.Read(ref received)}");
            subscriber.Dispose();
            return result;
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dir, recursive: true);
        }
    }

    static async Task<Result> DriveAsync(string target, Settings settings, int port, List<(string Id, string Secret)> credentials)
    {
        var clients = new List<IMqttClient>();
        foreach (var (id, secret) in credentials)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                .WithClientId(id).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(60));
            if (secret.Length > 0) options = options.WithCredentials(id, secret);
            var connect = await client.ConnectAsync(options.Build());
            if (connect.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"{target}: {id} refused: {connect.ResultCode}");
            clients.Add(client);
        }
        var latencies = new double[settings.Publishers * settings.MessagesPerPublisher];
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, c) => Task.WhenAll(Enumerable.Range(0, settings.InFlight).Select(async lane =>
        {
            var topic = $"edge/bench/{credentials[c].Id}/telemetry";
            for (var seq = lane + 1; seq <= settings.MessagesPerPublisher; seq += settings.InFlight)
            {
                var payload = Encoding.UTF8.GetBytes($"{{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":{seq},\"level\":60,\"source\":\"schedule\",\"watts\":38.4,\"volts\":230.1,\"energyWh\":412873,\"burnHours\":10233.4,\"switches\":2871,\"lux\":0.4,\"faults\":[]}}");
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                var start = Stopwatch.GetTimestamp();
                var result = await client.PublishAsync(message);
                if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers) throw new InvalidOperationException($"{target}: publish failed: {result.ReasonCode}");
                latencies[c * settings.MessagesPerPublisher + seq - 1] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }))));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        return new Result(target, settings.Publishers, settings.InFlight, latencies.Length, Math.Round(seconds, 3), Math.Round(latencies.Length / seconds, 0),
            Math.Round(Percentile(0.50), 3), Math.Round(Percentile(0.99), 3), Math.Round(latencies[^1], 3));
    }

    static Process StartProcess(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{file}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{file}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("benchmark set-up timed out");
            await Task.Delay(50);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
