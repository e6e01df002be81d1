using System;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Cloud.Gateways;

/// <summary>
/// Gateway bearer tokens: 32 random bytes (base64url, 43 characters) from the system CSPRNG, stored as
/// <c>sha256$&lt;hex&gt;</c> (System.Security.Cryptography). A token carries 256 bits of entropy, so unlike a
/// password it needs no salt or slow key derivation to resist guessing; an unsalted digest also lets the
/// cloud find the gateway a token belongs to, which is how a valid token for the wrong gateway is told
/// apart (403) from a wrong token (401).
/// </summary>
public static class GatewayTokens
{
    public const string HashPrefix = "sha256$";

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return HashPrefix + Convert.ToHexStringLower(digest);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
