using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Gateway.Registry;

/// <summary>
/// A node secret hashed the way Mosquitto's <c>password_file</c> expects it (Mosquitto 2.0, what
/// <c>mosquitto_passwd</c> writes): <c>$7$iterations$base64(salt)$base64(PBKDF2-HMAC-SHA512(secret, salt))</c> with a
/// 12-byte salt and a 64-byte digest. The registry keeps this second hash beside its own
/// (<see cref="SecretHasher"/>, PBKDF2-SHA256) because a hash cannot be converted into another: the secret is
/// known only at provisioning and rotation. Checked against mosquitto_passwd and a real Mosquitto in the tests.
/// </summary>
public static class MosquittoPasswordHash
{
    const int SaltBytes = 12;
    const int DigestBytes = 64;

    public static string Hash(string secret, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return Format(secret, salt, iterations);
    }

    /// <summary>The hash line for a given salt (exposed so tests can compare with mosquitto_passwd's output).</summary>
    public static string Format(string secret, byte[] salt, int iterations)
    {
        var digest = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA512, DigestBytes);
        return "$7$" + iterations.ToString(CultureInfo.InvariantCulture) + "$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(digest);
    }
}
