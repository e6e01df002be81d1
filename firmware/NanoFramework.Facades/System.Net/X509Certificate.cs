// Facade: the certificate type M2Mqtt's MqttClient constructor takes (TLS to the gateway, protocol.md §1.1).
namespace System.Security.Cryptography.X509Certificates
{
    public class X509Certificate
    {
        public X509Certificate() { throw null; }
        public X509Certificate(byte[] certificate) { throw null; }
        public X509Certificate(string certificate) { throw null; }
        public virtual string Issuer { get { throw null; } }
        public virtual string Subject { get { throw null; } }
        public virtual byte[] GetRawCertData() { throw null; }
    }
}
