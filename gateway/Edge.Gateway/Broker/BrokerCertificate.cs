using System;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Gateway.Broker;

/// <summary>The TLS listener's server certificate (Gateway:Broker:TlsCertificatePath), whichever transport serves the port.</summary>
public static class BrokerCertificate
{
    public static X509Certificate2 Load(BrokerOptions broker)
    {
        if (string.IsNullOrEmpty(broker.TlsCertificatePath))
        {
            throw new InvalidOperationException("Gateway:Broker:TlsPort is set but Gateway:Broker:TlsCertificatePath is not");
        }
        return X509CertificateLoader.LoadPkcs12FromFile(broker.TlsCertificatePath, broker.TlsCertificatePassword);
    }
}
