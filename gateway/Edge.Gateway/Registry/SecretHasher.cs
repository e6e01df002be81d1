using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Gateway.Registry;

/// <summary>
/// Node secrets (protocol.md §2.3): generated here, stored only as a salted PBKDF2-SHA256 hash
/// (<see cref="Rfc2898DeriveBytes.Pbkdf2(byte[], byte[], int, HashAlgorithmName, int)"/>), compared in constant time.
/// A node secret is 32 random bytes, so it cannot be guessed from a dictionary: the iterations only have to make
/// a stolen registry useless for a brute-force of 2^256, not protect a weak human password. 10 000 iterations keep
/// a reconnect storm of 300 nodes cheap on a Raspberry Pi.
/// Stored form: <c>pbkdf2-sha256$iterations$salt(base64)$hash(base64)</c>.
/// </summary>
public static class SecretHasher
{
    const string Scheme = "pbkdf2-sha256";
    const int SaltBytes = 16;
    const int HashBytes = 32;

    /// <summary>A new node secret: 32 random bytes, base64url without padding (43 characters, protocol.md §2.2).</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string secret, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
