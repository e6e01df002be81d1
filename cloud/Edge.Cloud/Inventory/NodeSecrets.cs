using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Cloud.Inventory;

/// <summary>
/// Node secrets (protocol.md §2.3): 32 CSPRNG bytes, base64url without padding (43 characters). The cloud
/// keeps only the salted hash in the gateway's format (docs/gateway.md, <c>Edge.Gateway.Registry.SecretHasher</c>):
/// <c>pbkdf2-sha256$iterations$salt(base64)$hash(base64)</c>, PBKDF2-HMAC-SHA256, 16-byte salt, 32-byte hash, and
/// sends only that to the gateway (uplink.md §3 <c>nodes</c>).
/// </summary>
public static class NodeSecrets
{
    public const int Iterations = 10000;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return string.Join('$', "pbkdf2-sha256", Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }
}
