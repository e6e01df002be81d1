using System;
using System.Resources;

namespace nanoFramework.Runtime.Native
{
    /// <summary>Reads an application's resources.</summary>
    public static class ResourceUtility
    {
        /// <summary>The whole resource (a binary one as a new byte array holding all of it).</summary>
        public static object GetObject(ResourceManager rm, Enum id) { throw null; }

        /// <summary>
        /// Part of a binary resource: the runtime copies <paramref name="length"/> bytes from <paramref name="offset"/>
        /// (trimmed at the end of the resource) out of the assembly in flash into a new byte array of that length.
        /// </summary>
        public static object GetObject(ResourceManager rm, Enum id, int offset, int length) { throw null; }
    }
}
