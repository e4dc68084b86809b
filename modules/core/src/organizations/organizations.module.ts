import { Module } from '@nestjs/common';
import { MembershipReader } from './membership.reader.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsService } from './organizations.service.js';

@Module({
  controllers: [OrganizationsController],
  providers: [OrganizationsService, MembershipReader],
  exports: [OrganizationsService, MembershipReader],
})
export class OrganizationsModule {}
