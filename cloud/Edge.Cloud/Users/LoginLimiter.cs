using System;
using Edge.Cloud.Requests;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Users;

/// <summary>Fixed windows of <see cref="LoginOptions.PerAddressPermits"/> login attempts per client address, whatever
/// the names: <c>POST /api/v1/auth/login</c> and the console's sign-in form count in the same one (a guesser cannot
/// switch between them). Only attempts count: showing the sign-in form is not one.</summary>
public sealed class LoginLimiter(IOptions<UserOptions> options, TimeProvider time) : AddressWindows(time)
{
    public override int Permits => options.Value.Login.PerAddressPermits;

    public override int WindowSeconds => options.Value.Login.PerAddressWindowSeconds;
}
