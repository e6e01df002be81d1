using System.Collections.Generic;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>Gateway flags that point the uplink and downlink at a cloud (a <see cref="FakeCloud"/> or the real one), with short backoffs for tests.</summary>
public static class CloudArgs
{
    public static string[] For(FakeCloud cloud, params string[] more) => For(cloud.BaseUrl, more);

    public static string[] For(string baseUrl, params string[] more) => For(baseUrl, FakeCloud.GatewayId, FakeCloud.Token, more);

    public static string[] For(string baseUrl, string gatewayId, string token, params string[] more)
    {
        var args = new List<string>
        {
            "--cloud-url", baseUrl, "--gateway-id", gatewayId, $"--Gateway:Uplink:Token={token}",
            "--Gateway:Uplink:BackoffBaseMilliseconds=50", "--Gateway:Uplink:BackoffCapMilliseconds=400",
            "--Gateway:Downlink:BackoffBaseMilliseconds=50", "--Gateway:Downlink:BackoffCapMilliseconds=400",
            "--Gateway:Downlink:WaitSeconds=2", "--Gateway:Rules:SirenDriver=none",
        };
        args.AddRange(more);
        return args.ToArray();
    }
}
