using System;
using System.Collections.Generic;
using QRCoder;

namespace Edge.Cli.Labels;

/// <summary>What one pole label shows: the QR code of the node's public page, the node id, the pole and the type.</summary>
public sealed record PoleLabel(string NodeId, string? Pole, string Type, string Url)
{
    /// <summary>The public page of a node: <c>{base}/n/{id}</c> (docs/provisioning.md §Labels).</summary>
    public static string PublicUrl(string baseUrl, string nodeId) => baseUrl.TrimEnd('/') + "/n/" + Uri.EscapeDataString(nodeId);

    /// <summary>The QR code's modules, quiet zone (4 modules) included: true = dark. Error correction M (15 %), for weathered labels.</summary>
    public bool[,] QrModules()
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(Url, QRCodeGenerator.ECCLevel.M);
        var rows = data.ModuleMatrix;
        var modules = new bool[rows.Count, rows.Count];
        for (int y = 0; y < rows.Count; y++)
            for (int x = 0; x < rows.Count; x++) modules[y, x] = rows[y][x];
        return modules;
    }

    /// <summary>Dark modules as horizontal runs (row, first column, length): one rectangle per run instead of per module.</summary>
    public static IEnumerable<(int Row, int Column, int Length)> Runs(bool[,] modules)
    {
        int n = modules.GetLength(0);
        for (int y = 0; y < n; y++)
        {
            int x = 0;
            while (x < n)
            {
                if (!modules[y, x]) { x++; continue; }
                int start = x;
                while (x < n && modules[y, x]) x++;
                yield return (y, start, x - start);
            }
        }
    }
}
