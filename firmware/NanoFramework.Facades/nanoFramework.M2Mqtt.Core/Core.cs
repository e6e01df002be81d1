// Facade: the interface assembly shipped inside the nanoFramework.M2Mqtt package. The client's events use
// the delegates nested in IMqttClient, and the message and QoS types live here, so the facade of
// nanoFramework.M2Mqtt references this one, as the real assemblies do.
using System;
using System.Collections;
using nanoFramework.M2Mqtt.Messages;

namespace nanoFramework.M2Mqtt
{
    public enum MqttSslProtocols
    {
        None,
        SSLv3,
        TLSv1_0,
        TLSv1_1,
        TLSv1_2,
        TLSv1_3,
    }

    public interface IMqttClient
    {
        public bool IsConnected { get; }
        void Init(string brokerHostName, int brokerPort, bool secure, byte[] caCert, byte[] clientCert, MqttSslProtocols sslProtocol);
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
            ushort keepAlivePeriod);
        public void Disconnect();
        public ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels);
        public ushort Unsubscribe(string[] topics);
        public ushort Publish(string topic, byte[] message, string contentType, ArrayList userProperties, MqttQoSLevel qosLevel, bool retain);
        public ushort Publish(string topic, byte[] message, string contentType);
        public ushort Publish(string topic, byte[] message);
        public void Close();

        public delegate void MqttMsgPublishEventHandler(object sender, MqttMsgPublishEventArgs e);
        public event IMqttClient.MqttMsgPublishEventHandler MqttMsgPublishReceived;
        public delegate void MqttMsgPublishedEventHandler(object sender, MqttMsgPublishedEventArgs e);
        public event MqttMsgPublishedEventHandler MqttMsgPublished;
        public delegate void ConnectionClosedEventHandler(object sender, EventArgs e);
        public event ConnectionClosedEventHandler ConnectionClosed;
    }
}

namespace nanoFramework.M2Mqtt.Messages
{
    public enum MqttQoSLevel
    {
        AtMostOnce = 0x00,
        AtLeastOnce = 0x01,
        ExactlyOnce = 0x02,
        GrantedFailure = 0x80,
    }

    // The real enum has more MQTT 5 reason codes; listed here: the ones MQTT 3.1.1 CONNACK and SUBACK map to.
    public enum MqttReasonCode
    {
        Success = 0x00,
        GrantedQoS0 = 0x00,
        GrantedQoS1 = 0x01,
        GrantedQoS2 = 0x02,
        UnspecifiedError = 0x80,
        ConnectionRefusedUnacceptableProtocolVersion = 0x01,
        ConnectionRefusedIdentifierRejected = 0x02,
        ConnectionRefusedServerUnavailable = 0x03,
        ConnectionRefusedBadUserNameOrPassword = 0x04,
        ConnectionRefusedNotAuthorized = 0x05,
    }

    public class MqttMsgPublishEventArgs : EventArgs
    {
        public MqttMsgPublishEventArgs(string topic, byte[] message, bool dupFlag, MqttQoSLevel qosLevel, bool retain) { throw null; }
        public string Topic { get { throw null; } }
        public byte[] Message { get { throw null; } }
        public bool DupFlag { get { throw null; } }
        public MqttQoSLevel QosLevel { get { throw null; } }
        public bool Retain { get { throw null; } }
    }

    public class MqttMsgPublishedEventArgs : EventArgs
    {
        public MqttMsgPublishedEventArgs(ushort messageId) { throw null; }
        public MqttMsgPublishedEventArgs(ushort messageId, bool isPublished) { throw null; }
        public ushort MessageId { get { throw null; } set { throw null; } }
        public bool IsPublished { get { throw null; } set { throw null; } }
    }
}
