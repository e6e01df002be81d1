using System;
using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Provisioning;
using Edge.Firmware.Tests.Runtime;

namespace Edge.Firmware.Tests.Provisioning;

/// <summary>docs/provisioning.md: the node's side of edge-prov/1, fed bytes as a UART delivers them.</summary>
public sealed class SerialProvisioningSessionTests
{
    private const string Secret = "c2wtMDA0Mi1leGFtcGxlLXNlY3JldA";
    private readonly MemoryStorage _storage = new();
    private readonly Replies _replies = new();
    private readonly SerialProvisioningSession _session;
    private long _now = 1000;

    public SerialProvisioningSessionTests()
    {
        _session = new SerialProvisioningSession(_storage, _replies, "esp32-wroom-32e", "1.0.0", "streetlight");
    }

    private sealed class Replies : IProvisioningReply
    {
        public readonly List<string> Lines = new();
        public void WriteLine(string line) => Lines.Add(line);
    }

    private string Say(string text)
    {
        int before = _replies.Lines.Count;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        _session.Feed(bytes, 0, bytes.Length, _now);
        return string.Join("|", _replies.Lines.GetRange(before, _replies.Lines.Count - before));
    }

    private string? Stored()
    {
        var buffer = new byte[ProvisioningRecord.MaxBytes];
        int n = _storage.Read(ProvisioningRecord.StorageKey, buffer);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, n);
    }

    private void SetAll(string nodeId)
    {
        foreach (var line in new[] { "ssid=Igoumenitsa-IoT", "wifiPassword=street-lights-2026", "brokerHost=10.0.0.2", "brokerPort=1883",
            "tls=false", "site=igoumenitsa", "nodeId=" + nodeId, "secret=" + Secret, "latitude=39.5035", "longitude=20.2655",
            "timeZone=EET-2EEST,M3.5.0/3,M10.5.0/4" })
            Assert.StartsWith("OK ", Say("SET " + line + "\n"));
    }

    [Fact]
    public void A_whole_session_commits_a_record_the_boot_parser_reads_and_answers_every_line()
    {
        Assert.Equal("OK edge-prov/1", Say("HELLO edge-prov/1\r\n"));
        Assert.Equal("OK board=esp32-wroom-32e fw=1.0.0 type=streetlight node=- provisioned=no", Say("INFO\n"));
        SetAll("sl-0042");
        Assert.Null(Stored()); // nothing is written before COMMIT
        string committed = Say("COMMIT\n");
        var record = ProvisioningRecord.Parse(Stored()!);
        Assert.Equal("OK committed " + Encoding.UTF8.GetByteCount(Stored()!) + " bytes", committed);
        Assert.Equal(("sl-0042", "igoumenitsa", Secret, "10.0.0.2", 1883, 39.5035, 20.2655), (record.NodeId, record.Site, record.Secret, record.BrokerHost, record.BrokerPort, record.Latitude, record.Longitude));
        Assert.Equal("OK board=esp32-wroom-32e fw=1.0.0 type=streetlight node=sl-0042 provisioned=yes", Say("INFO\n"));
        Assert.False(_session.RebootRequested);
        Assert.Equal("OK rebooting", Say("REBOOT\n"));
        Assert.True(_session.RebootRequested);
    }

    [Fact]
    public void Secrets_are_acknowledged_by_key_only_and_invalid_values_are_refused_by_name()
    {
        Say("HELLO edge-prov/1\n");
        Assert.Equal("OK secret", Say("SET secret=" + Secret + "\n"));
        Assert.Equal("OK wifiPassword", Say("SET wifiPassword=street-lights-2026\n"));
        // WPA2 passphrases are 8..63 characters (IEEE 802.11i); the refusal never repeats the value.
        string refused = Say("SET wifiPassword=short\n");
        Assert.StartsWith("ERR wifiPassword: ", refused);
        Assert.DoesNotContain("short", refused.Substring("ERR wifiPassword".Length));
        Assert.StartsWith("ERR brokerPort: '70000'", Say("SET brokerPort=70000\n"));
        Assert.StartsWith("ERR nodeId: 'SL_42'", Say("SET nodeId=SL_42\n"));
        Assert.StartsWith("ERR timeZone: ", Say("SET timeZone=Europe/Athens\n"));
        Assert.StartsWith("ERR ssid: must be 1..32 bytes, not 33", Say("SET ssid=" + new string('x', 33) + "\n"));
        Assert.Equal("ERR ssid is missing", Say("COMMIT\n"));
        Assert.Null(Stored());
    }

    [Fact]
    public void Garbage_overlong_lines_and_commands_before_hello_are_answered_and_change_nothing()
    {
        Assert.Equal("ERR say HELLO edge-prov/1 first", Say("SET ssid=x\n"));
        Assert.Equal("ERR unsupported protocol 'edge-prov/9' (this node speaks edge-prov/1)", Say("HELLO edge-prov/9\n"));
        Say("HELLO edge-prov/1\n");
        var garbage = new byte[] { 0x00, 0xFF, 0xFE, 0x1B, (byte)'\n' };
        _session.Feed(garbage, 0, garbage.Length, _now);
        Assert.Equal("ERR line is not text", _replies.Lines[^1]);
        Assert.Equal("ERR line too long (at most 200 bytes)", Say("SET ssid=" + new string('y', 300) + "\n"));
        Assert.StartsWith("ERR unknown command 'FLASH'", Say("FLASH\n"));
        Assert.Null(Stored());
    }

    [Fact]
    public void A_peer_that_stops_mid_session_or_aborts_leaves_the_old_record()
    {
        Say("HELLO edge-prov/1\n");
        SetAll("sl-0001");
        Say("COMMIT\n");
        string old = Stored()!;

        // A new session sets half a record and the peer goes away: the node forgets it after the idle time.
        Say("HELLO edge-prov/1\n");
        Assert.Equal("OK nodeId", Say("SET nodeId=sl-0002\n"));
        _now += SerialProvisioningSession.IdleMs + 1;
        _session.Poll(_now);
        Assert.Equal("ERR say HELLO edge-prov/1 first", Say("COMMIT\n"));
        Assert.Equal(old, Stored());

        // Cut mid-line: the half line is not a command, and without COMMIT nothing is written.
        Say("HELLO edge-prov/1\n");
        SetAll("sl-0003");
        Assert.Equal("", Say("COMM"));
        Assert.Equal("OK aborted", Say("\nABORT\n").Split('|')[1]);
        Assert.Equal("ERR ssid is missing", Say("COMMIT\n"));
        Assert.Equal(old, Stored());
        Assert.Equal("sl-0001", ProvisioningRecord.Parse(Stored()!).NodeId);
    }

    [Fact]
    public void The_record_parser_names_the_missing_key_and_the_bad_line()
    {
        var e = Assert.Throws<FormatException>(() => ProvisioningRecord.Parse("ssid=a\nbrokerHost=h\nsite=s\nnodeId=n\n"));
        Assert.Equal("node: secret is missing", e.Message);
        e = Assert.Throws<FormatException>(() => ProvisioningRecord.Parse("ssid=a\nthis line has no equals sign\n"));
        Assert.Equal("node: line 2 is not key=value", e.Message);
        e = Assert.Throws<FormatException>(() => ProvisioningRecord.Parse("tls=yes\n"));
        Assert.Equal("node: tls: 'yes' is not true or false", e.Message);
        var ok = ProvisioningRecord.Parse("# written by edge\nssid=a\nbrokerHost=h\nsite=s\nnodeId=n\nsecret=" + Secret + "\nfutureKey=1\n");
        Assert.False(ok.HasPosition);
        Assert.Equal("UTC0", ok.TimeZone);
    }
}
