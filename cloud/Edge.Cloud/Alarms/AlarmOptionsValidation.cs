using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Alarms;

/// <summary>
/// The start-up check of <see cref="AlarmOptions"/>' node-state settings (run by the host at start,
/// <c>ValidateOnStart</c>): a cloud with a setting that would make <c>last_seen</c> misleading refuses to start,
/// naming the setting, instead of running with it.
/// </summary>
/// <remarks>No alarm reads <c>last_seen</c> (the offline sweep reads a lost node's <c>state_at</c>, an asleep node's
/// <c>wakeTs</c> and a gateway's batch and poll times), so the bound is not what keeps the alarms right: it keeps the
/// "last seen" an operator reads next to an offline alarm within half of the shortest grace, so a node alarmed as
/// offline never looks as if it was seen after its grace began.</remarks>
public sealed class AlarmOptionsValidation : IValidateOptions<AlarmOptions>
{
    public ValidateOptionsResult Validate(string? name, AlarmOptions options)
    {
        var errors = new List<string>();
        var bound = MaxLastSeenResolutionSeconds(options);
        if (options.LastSeenResolutionSeconds < 0 || options.LastSeenResolutionSeconds > bound)
        {
            errors.Add($"{AlarmOptions.Section}:{nameof(AlarmOptions.LastSeenResolutionSeconds)} is {options.LastSeenResolutionSeconds}: it must be " +
                $"between 0 and {bound}, half of the shortest of {AlarmOptions.Section}:{nameof(AlarmOptions.OfflineGraceS)} ({options.OfflineGraceS} s), " +
                $"{AlarmOptions.Section}:{nameof(AlarmOptions.AsleepGraceS)} ({options.AsleepGraceS} s) and " +
                $"{AlarmOptions.Section}:{nameof(AlarmOptions.GatewayOfflineMinutes)} ({options.GatewayOfflineMinutes} min)");
        }
        if (options.LastSeenCacheNodes < 1)
        {
            errors.Add($"{AlarmOptions.Section}:{nameof(AlarmOptions.LastSeenCacheNodes)} is {options.LastSeenCacheNodes}: it must be at least 1");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Half of the shortest offline grace, in seconds.</summary>
    public static long MaxLastSeenResolutionSeconds(AlarmOptions options) =>
        System.Math.Min(options.OfflineGraceS, System.Math.Min(options.AsleepGraceS, options.GatewayOfflineMinutes * 60L)) / 2;
}
