namespace Edge.Firmware.Protocol;

/// <summary>The kind of token a <see cref="JsonReader"/> stands on.</summary>
public enum JsonToken
{
    None = 0,
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    PropertyName,
    String,
    Number,
    True,
    False,
    Null,
}
