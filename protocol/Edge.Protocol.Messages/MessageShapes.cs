using System;
using System.Collections.Generic;

namespace Edge.Protocol.Messages;

/// <summary>
/// The node → gateway messages of docs/protocol.md as tables: the members common to a leaf (§6.1, §7.1, §8.1, §10.3)
/// and, for telemetry and events, the members of each <c>type</c> / <c>kind</c>. docs/schemas/*.schema.json say the
/// same; the schema tests hold the two together.
///
/// Required: the members a receiver cannot store or act on without (identity, discriminator, and the one measurement
/// each telemetry type is about). Every other member may be omitted, but when present it must have the documented
/// type, range and enum value (protocol.md §5.3: an unknown enum value is invalid).
/// </summary>
public static class MessageShapes
{
    public const long UIntMax = uint.MaxValue;
    public const long MaxSafeInteger = 9007199254740992; // 2^53, protocol.md §5.3 "long"
    public const long MaxTs = 253402300799; // 9999-12-31T23:59:59Z: the largest instant the cloud stores

    public static readonly string[] NodeTypes = ["streetlight", "waterlevel", "busstop"];
    public static readonly string[] EventKinds = ["lamp.fault", "flood.state", "flood.rate", "node.boot", "node.watchdog", "config.rejected", "hw.fault", "message.rejected"];
    public static readonly string[] Statuses = ["online", "offline", "asleep"];
    public static readonly string[] FloodStates = ["normal", "watch", "warning", "alarm"];
    public static readonly string[] AckResults = ["ok", "expired", "duplicate", "rejected", "unsupported", "failed"];
    public static readonly string[] LampFaults = ["lamp-failure", "day-burner", "cycling", "dimming-failure", "supply-loss"];

    static Member Int(string name, bool required = false, long min = int.MinValue, long max = int.MaxValue) => new(name, MemberType.Integer, required, min, max);
    static Member UInt(string name, bool required = false) => new(name, MemberType.Integer, required, 0, UIntMax);
    static Member Long(string name, long min = 0) => new(name, MemberType.Integer, false, min, MaxSafeInteger);
    static Member Ts(string name, bool required = false) => new(name, MemberType.Integer, required, 0, MaxTs);
    static Member Num(string name) => new(name, MemberType.Number);
    static Member Str(string name) => new(name, MemberType.String);
    static Member Bool(string name, bool required = false) => new(name, MemberType.Boolean, required);
    static Member Enum(string name, string[] values, bool required = false) => new(name, MemberType.Enum, required, values: values);

    /// <summary><c>ts</c>, <c>boot</c>, <c>seq</c> (§5.4) of telemetry, events and acks.</summary>
    static Member[] Identity() => [Ts("ts", required: true), UInt("boot", required: true), UInt("seq", required: true)];

    public static readonly Shape Telemetry = new("telemetry", Enum("type", NodeTypes, required: true), Identity(), new Dictionary<string, Member[]>
    {
        ["streetlight"] =
        [
            Int("level", required: true, min: 0, max: 100), Enum("source", ["schedule", "override", "rule", "default", "lux"]),
            Num("watts"), Num("volts"), Long("energyWh"), Num("burnHours"), UInt("switches"), Num("lux"),
            new("faults", MemberType.EnumArray, values: LampFaults),
        ],
        ["waterlevel"] =
        [
            Int("levelMm"), Ts("levelTs"), Enum("state", FloodStates, required: true), Int("riseMm"), Bool("rateAlarm"),
            Enum("sensor", ["ok", "stuck", "absent"]), Int("batteryMv"), Int("daysLeft"), UInt("samples"), UInt("accepted"),
            new("rejected", MemberType.Object, children: [UInt("noEcho"), UInt("tooClose"), UInt("tooFar"), UInt("tooFew"), UInt("spike"), UInt("stuck")]),
            UInt("intervalS"), Int("maxLevelMm"),
        ],
        ["busstop"] = [UInt("contentVersion", required: true), Bool("stale", required: true), Ts("refreshedTs"), Num("volts")],
    });

    public static readonly Shape Event = new("event", Enum("kind", EventKinds, required: true), [.. Identity(), Str("msg")], new Dictionary<string, Member[]>
    {
        ["lamp.fault"] = [Enum("fault", LampFaults), Bool("active", required: true), Int("level", min: 0, max: 100), Num("watts"), Num("volts")],
        ["flood.state"] = [Enum("from", FloodStates, required: true), Enum("to", FloodStates, required: true), Enum("cause", ["level", "release"]), Int("levelMm")],
        ["flood.rate"] = [Bool("active", required: true), Int("riseMm"), Int("levelMm")],
        // reason is read as a string: a hardware-specific reset cause must not cost the node its boot report (protocol.md §7.4).
        ["node.boot"] = [Str("reason"), Str("fw")],
        ["node.watchdog"] = [Str("task"), UInt("stuckS")],
        ["config.rejected"] =
        [
            Enum("topic", ["config", "display"]), Long("version", min: -1),
            Enum("code", ["invalid", "malformed", "too-large", "wrong-type", "stale"]), Long("kept", min: -1),
            new("errors", MemberType.StringArray),
        ],
        ["hw.fault"] = [Enum("part", ["power-meter", "light-sensor", "ultrasonic", "epaper", "flash", "rtc", "battery"]), Bool("active", required: true)],
        ["message.rejected"] = [Enum("topic", ["cmd", "time"]), Enum("code", ["malformed", "too-large"])],
    });

    public static readonly Shape State = new("state", null,
    [
        Enum("status", Statuses, required: true), Enum("reason", ["lost", "reboot", "update", "shutdown"]), Ts("ts"),
        Enum("type", NodeTypes), Str("fw"), Str("hw"), Long("configVersion"), Long("configRejected"), Long("displayVersion"),
        UInt("boot"), Str("resetReason"), UInt("uptimeS"), Str("timeSource"), Ts("lastSyncTs"), Int("rssi"),
        Long("heapFree"), // a long, not a uint: the host build reports the host's free memory (gigabytes)
        new("outbox", MemberType.Object, children: [UInt("queued"), UInt("dropped"), UInt("droppedEvents"), Bool("flash")]),
        Ts("wakeTs"),
    ], new Dictionary<string, Member[]>());

    public static readonly Shape CmdAck = new("cmd/ack", null,
    [
        new("id", MemberType.CommandId, required: true), Enum("result", AckResults, required: true), .. Identity(),
        Enum("original", AckResults), Str("msg"),
    ], new Dictionary<string, Member[]>());

    /// <summary>The shape of a node → gateway leaf (<c>telemetry</c>, <c>event</c>, <c>state</c>, <c>cmd/ack</c>), or null.</summary>
    public static Shape? ForLeaf(string leaf) => leaf switch
    {
        "telemetry" => Telemetry,
        "event" => Event,
        "state" => State,
        "cmd/ack" => CmdAck,
        _ => null,
    };
}

/// <summary>A leaf's members: the discriminator (<c>type</c> / <c>kind</c>, or none), the common members and the
/// members of each discriminator value. <see cref="All"/> numbers every top-level name once for the scanner.</summary>
public sealed class Shape
{
    public Shape(string leaf, Member? discriminator, Member[] common, Dictionary<string, Member[]> variants)
    {
        Leaf = leaf;
        Discriminator = discriminator;
        Common = common;
        Variants = variants;
        var all = new List<Member> { new("v", MemberType.Integer, required: true) };
        if (discriminator is not null) all.Add(discriminator);
        all.AddRange(common);
        foreach (var members in variants.Values)
        {
            foreach (var member in members)
            {
                if (all.FindIndex(m => m.Name == member.Name) < 0) all.Add(member);
            }
        }
        All = [.. all];
        var longest = 0;
        foreach (var member in All) longest = Math.Max(longest, member.Utf8Name.Length);
        var byLength = new List<int>[longest + 1];
        for (var i = 0; i < All.Length; i++) (byLength[All[i].Utf8Name.Length] ??= []).Add(i);
        SlotsByLength = Array.ConvertAll(byLength, slots => slots?.ToArray() ?? []);
        CommonSlots = Array.ConvertAll(common, m => IndexOf(m.Name));
        var variantSlots = new Dictionary<string, int[]>();
        foreach (var (value, members) in variants) variantSlots[value] = Array.ConvertAll(members, m => IndexOf(m.Name));
        VariantSlots = variantSlots;
    }

    public string Leaf { get; }

    public Member? Discriminator { get; }

    public Member[] Common { get; }

    public IReadOnlyDictionary<string, Member[]> Variants { get; }

    /// <summary>Every top-level name of this leaf once (index 0 is <c>v</c>); the same name in two variants shares a slot.</summary>
    public Member[] All { get; }

    /// <summary>The slots of <see cref="All"/> by the length of the member's UTF-8 name: the scanner compares a name
    /// in the payload only with the few known names of its length, not with every name of the leaf (30 for telemetry).</summary>
    public int[][] SlotsByLength { get; }

    /// <summary>The slot in <see cref="All"/> of each member of <see cref="Common"/>.</summary>
    public int[] CommonSlots { get; }

    /// <summary>The slot in <see cref="All"/> of each member of each variant.</summary>
    public IReadOnlyDictionary<string, int[]> VariantSlots { get; }

    public int IndexOf(string name) => Array.FindIndex(All, m => m.Name == name);
}
