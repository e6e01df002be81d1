using System.Reflection;

namespace System.Resources
{
    /// <summary>
    /// An application's managed resources (the .nanoresources the nanoFramework build makes from a .resx). Built by
    /// the generated Resources.Designer.cs; read through <see cref="nanoFramework.Runtime.Native.ResourceUtility"/>.
    /// </summary>
    public class ResourceManager
    {
        public ResourceManager(string baseName, Assembly assembly) { throw null; }
    }
}
