// Facade: the MQTT client. The apps keep ONE MqttClient and reconnect it from ConnectionClosed
// (protocol.md §4.4), connecting with node id, secret and last will (protocol.md §2.2).
using System;
using System.Collections;
using System.Security.Cryptography.X509Certificates;
using nanoFramework.M2Mqtt.Messages;

namespace nanoFramework.M2Mqtt
{
    public enum MqttProtocolVersion
    {
        Version_3_1 = 0x03,
        Version_3_1_1 = 0x04,
        Version_5 = 0x05,
    }

    public class MqttClient : IMqttClient, IDisposable
    {
        public MqttClient(string brokerHostName) { throw null; }
        public MqttClient(string brokerHostName, int brokerPort, bool secure, X509Certificate caCert, X509Certificate clientCert, MqttSslProtocols sslProtocol) { throw null; }

        public event IMqttClient.MqttMsgPublishEventHandler MqttMsgPublishReceived { add { throw null; } remove { throw null; } }
        public event IMqttClient.MqttMsgPublishedEventHandler MqttMsgPublished { add { throw null; } remove { throw null; } }
        public event IMqttClient.ConnectionClosedEventHandler ConnectionClosed { add { throw null; } remove { throw null; } }

        public bool IsConnected { get { throw null; } }
        public string ClientId { get { throw null; } }
        public bool CleanSession { get { throw null; } }
        public MqttProtocolVersion ProtocolVersion { get { throw null; } set { throw null; } }

        public void Init(string brokerHostName, int brokerPort, bool secure, byte[] caCert, byte[] clientCert, MqttSslProtocols sslProtocol) { throw null; }

        public MqttReasonCode Connect(string clientId) { throw null; }
        public MqttReasonCode Connect(string clientId, bool cleanSession) { throw null; }
        public MqttReasonCode Connect(string clientId, string username, string password) { throw null; }
        public MqttReasonCode Connect(string clientId, string username, string password, bool cleanSession, ushort keepAlivePeriod) { throw null; }
        public MqttReasonCode Connect(
            string clientId,
            string username,
            string password,
            bool willRetain,
            MqttQoSLevel willQosLevel,
            bool willFlag,
            string willTopic,
            string willMessage,
            bool cleanSession,
            ushort keepAlivePeriod) { throw null; }

        public void Disconnect() { throw null; }
        public void Close() { throw null; }
        public void Dispose() { throw null; }

        public ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels) { throw null; }
        public ushort Unsubscribe(string[] topics) { throw null; }

        public ushort Publish(string topic, byte[] message) { throw null; }
        public ushort Publish(string topic, byte[] message, string contentType) { throw null; }
        public ushort Publish(string topic, byte[] message, string contentType, ArrayList userProperties) { throw null; }
        public ushort Publish(string topic, byte[] message, string contentType, ArrayList userProperties, MqttQoSLevel qosLevel, bool retain) { throw null; }
    }
}
