# shellcheck shell=bash
# DevStack plugin for nova-lb: the scheduler plugin in nova-scheduler's
# environment and nova.conf, and the rebalancer as a systemd service.
#
# DevStack sources this file as ``plugin.sh MODE [PHASE]`` after
# devstack/settings; the functions it calls (iniset, run_process, ...) are
# DevStack's own.

# Save trace setting
_XTRACE_NOVA_LB=$(set +o | grep xtrace)
set -o xtrace

NOVA_LB_BIN_DIR=${NOVA_LB_BIN_DIR:-$(get_python_exec_prefix)}

# install_nova_lb - install the package where nova-scheduler imports from.
# DevStack installs every service into one Python environment, so
# nova-scheduler finds nova_lb's filters and weigher there.
function install_nova_lb {
    setup_develop "$NOVA_LB_DIR"
}

# _nova_lb_default_filters - Nova's own default of enabled_filters, asked
# from the installed Nova, so that a DevStack that leaves the option unset
# keeps exactly the filters Nova would have used.
function _nova_lb_default_filters {
    "$PYTHON" -c 'from nova.conf import scheduler
opt = next(o for o in scheduler.filter_scheduler_opts
           if o.name == "enabled_filters")
print(",".join(opt.default))' || die $LINENO "cannot read Nova's default enabled_filters"
}

# _nova_lb_append_csv LIST ITEMS - LIST with each comma-separated item of
# ITEMS appended unless LIST has it already.
function _nova_lb_append_csv {
    local list=$1
    local item
    local items
    IFS=, read -r -a items <<< "$2"
    for item in "${items[@]}"; do
        if [[ ",$list," != *",$item,"* ]]; then
            list=${list:+$list,}$item
        fi
    done
    echo "$list"
}

# _nova_lb_set_cost_model FILE - the [nova_lb] options. nova.conf and
# nova-lb.conf get the same values, so that the scheduler and the
# rebalancer judge a host alike.
function _nova_lb_set_cost_model {
    local file=$1
    iniset "$file" nova_lb resource_weights "$NOVA_LB_RESOURCE_WEIGHTS"
    iniset "$file" nova_lb imbalance_weight "$NOVA_LB_IMBALANCE_WEIGHT"
    iniset "$file" nova_lb vcpu_ceiling "$NOVA_LB_VCPU_CEILING"
    iniset "$file" nova_lb memory_mb_ceiling "$NOVA_LB_MEMORY_MB_CEILING"
    iniset "$file" nova_lb disk_gb_ceiling "$NOVA_LB_DISK_GB_CEILING"
}

# configure_nova_lb_scheduler - add nova-lb's filters and weigher to
# nova.conf next to Nova's, never instead of them. Safe to run twice.
function configure_nova_lb_scheduler {
    local available
    local enabled
    local weighers

    available=$(iniget_multiline "$NOVA_CONF" filter_scheduler available_filters)
    if [[ -z "$available" ]]; then
        iniset "$NOVA_CONF" filter_scheduler available_filters nova.scheduler.filters.all_filters
        available=nova.scheduler.filters.all_filters
    fi
    if [[ " $available " != *" nova_lb.scheduler.filters.all_filters "* ]]; then
        iniadd "$NOVA_CONF" filter_scheduler available_filters nova_lb.scheduler.filters.all_filters
    fi

    enabled=$(iniget "$NOVA_CONF" filter_scheduler enabled_filters)
    enabled=${enabled// /}
    if [[ -z "$enabled" ]]; then
        enabled=$(_nova_lb_default_filters)
    fi
    iniset "$NOVA_CONF" filter_scheduler enabled_filters \
        "$(_nova_lb_append_csv "$enabled" "$NOVA_LB_FILTERS")"

    weighers=$(iniget "$NOVA_CONF" filter_scheduler weight_classes)
    weighers=${weighers// /}
    iniset "$NOVA_CONF" filter_scheduler weight_classes \
        "$(_nova_lb_append_csv "${weighers:-nova.scheduler.weights.all_weighers}" \
            nova_lb.scheduler.weighers.all_weighers)"

    _nova_lb_set_cost_model "$NOVA_CONF"
}

# configure_nova_lb_rebalancer - write nova-lb.conf and the state dir.
function configure_nova_lb_rebalancer {
    sudo install -d -o "$STACK_USER" "$NOVA_LB_CONF_DIR"
    install -d "$NOVA_LB_STATE_DIR"

    iniset "$NOVA_LB_CONF" DEFAULT debug "${ENABLE_DEBUG_LOG_LEVEL:-True}"
    iniset "$NOVA_LB_CONF" rebalancer cloud "$NOVA_LB_CLOUD"
    iniset "$NOVA_LB_CONF" rebalancer automation "$NOVA_LB_AUTOMATION"
    iniset "$NOVA_LB_CONF" rebalancer interval "$NOVA_LB_INTERVAL"
    iniset "$NOVA_LB_CONF" rebalancer state_dir "$NOVA_LB_STATE_DIR"
    _nova_lb_set_cost_model "$NOVA_LB_CONF"
}

# start_nova_lb - run the rebalancer under systemd, as
# devstack@nova-lb-rebalancer.service.
function start_nova_lb {
    run_process nova-lb-rebalancer \
        "$NOVA_LB_BIN_DIR/nova-lb-rebalancer --config-file $NOVA_LB_CONF"
}

function stop_nova_lb {
    stop_process nova-lb-rebalancer
}

# cleanup_nova_lb - remove what configure_nova_lb_rebalancer created.
function cleanup_nova_lb {
    sudo rm -rf "$NOVA_LB_CONF_DIR" "$NOVA_LB_STATE_DIR"
}

if is_service_enabled nova-lb nova-lb-rebalancer; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing nova-lb"
        install_nova_lb
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring nova-lb"
        if is_service_enabled nova-lb; then
            configure_nova_lb_scheduler
        fi
        if is_service_enabled nova-lb-rebalancer; then
            configure_nova_lb_rebalancer
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        if is_service_enabled nova-lb-rebalancer; then
            echo_summary "Starting nova-lb-rebalancer"
            start_nova_lb
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_nova_lb
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_nova_lb
    fi
fi

# Restore xtrace
$_XTRACE_NOVA_LB
