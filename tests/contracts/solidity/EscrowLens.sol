// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICrowdfundEscrow} from "../../../contracts/interfaces/ICrowdfundEscrow.sol";

interface IBalanceOf {
    function balanceOf(address account) external view returns (uint256);
}

/// @notice Test-only reader: one eth_call returns everything the state machine's
/// invariants compare (campaigns, every actor's pledge in every campaign, balances).
contract EscrowLens {
    struct Snapshot {
        uint256 timestamp;
        ICrowdfundEscrow.CampaignView[] campaigns;
        uint256[] pledges; // pledges[c * actors.length + a] = pledgeOf(campaign c + 1, actors[a])
        uint256 escrowEth;
        uint256 escrowToken;
        uint256[] actorEth;
        uint256[] actorToken;
    }

    function snapshot(ICrowdfundEscrow escrow, IBalanceOf token, address[] calldata actors)
        external
        view
        returns (Snapshot memory s)
    {
        s.timestamp = block.timestamp;
        s.campaigns = escrow.getCampaigns(1, type(uint256).max);
        s.pledges = new uint256[](s.campaigns.length * actors.length);
        for (uint256 c; c < s.campaigns.length; ++c) {
            for (uint256 a; a < actors.length; ++a) {
                s.pledges[c * actors.length + a] = escrow.pledgeOf(c + 1, actors[a]);
            }
        }
        s.escrowEth = address(escrow).balance;
        s.escrowToken = token.balanceOf(address(escrow));
        s.actorEth = new uint256[](actors.length);
        s.actorToken = new uint256[](actors.length);
        for (uint256 a; a < actors.length; ++a) {
            s.actorEth[a] = actors[a].balance;
            s.actorToken[a] = token.balanceOf(actors[a]);
        }
    }
}
