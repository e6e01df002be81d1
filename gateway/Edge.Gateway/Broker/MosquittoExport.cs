using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Edge.Gateway.Registry;

namespace Edge.Gateway.Broker;

/// <summary>What <see cref="MosquittoExport.Write"/> wrote: the accounts exported and the nodes left out (no Mosquitto hash).</summary>
public sealed record MosquittoExportResult(string PasswordFile, string AclFile, IReadOnlyList<string> Exported, IReadOnlyList<string> Skipped);

/// <summary>
/// Writes a Mosquitto <c>password_file</c> and <c>acl_file</c> from the node registry, so a site broker enforces what
/// the embedded broker would (protocol.md §2.2–§2.4): each node logs in with its id and secret and may only publish
/// its own telemetry, event, state and cmd/ack and read its own config, cmd, display and time; the gateway's account
/// reads and writes <c>edge/#</c>. Run as <c>Edge.Gateway --export-mosquitto &lt;dir&gt;</c>, then reload Mosquitto
/// (SIGHUP): Mosquitto 2.0 re-reads both files and disconnects clients whose password no longer matches.
/// Files are written to a temporary name and renamed, so a reload never reads half a file.
/// </summary>
public static class MosquittoExport
{
    public const string PasswordFileName = "edge.passwd";
    public const string AclFileName = "edge.acl";

    static readonly string[] NodePublishes = [NodeTopics.Telemetry, NodeTopics.Event, NodeTopics.State, NodeTopics.CmdAck];
    static readonly string[] NodeReads = [NodeTopics.Config, NodeTopics.Cmd, NodeTopics.Display, NodeTopics.Time];

    public static MosquittoExportResult Write(string directory, NodeRegistry registry, ExternalBrokerOptions gateway, int hashIterations)
    {
        Directory.CreateDirectory(directory);
        var passwd = new StringBuilder();
        var acl = new StringBuilder();
        var stamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        acl.Append("# Written by Edge.Gateway --export-mosquitto at ").Append(stamp).Append(" from the node registry. Re-export; do not edit.\n");
        acl.Append("# Nodes: protocol.md §2.4. Users not listed here (and anonymous clients) get no access.\n\n");

        if (string.IsNullOrEmpty(gateway.Password))
        {
            throw new InvalidOperationException("Gateway:Broker:External:Password is not set: the gateway's own broker account cannot be exported");
        }
        passwd.Append(gateway.UserName).Append(':').Append(MosquittoPasswordHash.Hash(gateway.Password, hashIterations)).Append('\n');
        acl.Append("# The gateway: receives every node's messages, publishes configs, displays, commands and time.\n");
        acl.Append("user ").Append(gateway.UserName).Append("\ntopic readwrite edge/#\n");

        var exported = new List<string>();
        var skipped = new List<string>();
        foreach (var (node, brokerHash) in registry.BrokerAccounts())
        {
            if (brokerHash is null)
            {
                skipped.Add(node.NodeId);
                continue;
            }
            passwd.Append(node.NodeId).Append(':').Append(brokerHash).Append('\n');
            acl.Append("\n# ").Append(node.NodeId).Append(" (").Append(node.Type).Append(", site ").Append(node.Site).Append(")\nuser ").Append(node.NodeId).Append('\n');
            foreach (var leaf in NodePublishes) acl.Append("topic write ").Append(NodeTopics.For(node.Site, node.NodeId, leaf)).Append('\n');
            foreach (var leaf in NodeReads) acl.Append("topic read ").Append(NodeTopics.For(node.Site, node.NodeId, leaf)).Append('\n');
            exported.Add(node.NodeId);
        }

        var passwordFile = Path.Combine(directory, PasswordFileName);
        var aclFile = Path.Combine(directory, AclFileName);
        WriteAtomically(passwordFile, passwd.ToString());
        WriteAtomically(aclFile, acl.ToString());
        return new MosquittoExportResult(passwordFile, aclFile, exported, skipped);
    }

    static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        // Owner read/write, group read: Mosquitto reads the files through its group (docs/gateway.md); never world-readable.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
